using Microsoft.Extensions.Logging;
using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

public sealed partial class ChainFlattener
{
    [LoggerMessage(Level = LogLevel.Information, Message = "flattened disk {Disk} ({Label}): chain depth {Before} -> {After}")]
    private static partial void LogRebased(ILogger logger, DiskId disk, string label, int before, int after);
}
