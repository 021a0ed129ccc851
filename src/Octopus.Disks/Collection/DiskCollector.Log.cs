using Microsoft.Extensions.Logging;
using Octopus.Disks.Model;

namespace Octopus.Disks.Collection;

public sealed partial class DiskCollector
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "disk gc {Mode}: {Reachable} of {Disks} disks reachable; {Swept} unreachable and {Orphans} orphan file(s) go ({Bytes}); {Pending} wait for their grace period")]
    private static partial void LogCollected(ILogger logger, string mode, int disks, int reachable, int swept, int orphans, string bytes, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "disk {Disk} ({Label}) has no file in the storage folder; reachable: {Reachable}. Restore the file or delete the row.")]
    private static partial void LogMissing(ILogger logger, DiskId disk, string label, bool reachable);
}
