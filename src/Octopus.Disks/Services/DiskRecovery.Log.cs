using Microsoft.Extensions.Logging;

namespace Octopus.Disks.Services;

public sealed partial class DiskRecovery
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "disk recovery: '{Operation}' was interrupted; {Outcome}: {Detail}")]
    private static partial void LogRecovered(ILogger logger, string operation, RecoveryOutcome outcome, string detail);
}
