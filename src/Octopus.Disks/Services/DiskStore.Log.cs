using Microsoft.Extensions.Logging;

namespace Octopus.Disks.Services;

internal sealed partial class DiskStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation}: new disk(s) {Disks}")]
    private static partial void LogCreated(ILogger logger, string operation, string disks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed and its rollback failed too ({Error}); the recovery pass will finish it")]
    private static partial void LogRollbackFailed(ILogger logger, string operation, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: switching running VM {Vm} to its new leaf failed ({Error}); rolled back, the VM keeps its old disk")]
    private static partial void LogLiveSwitchFailed(ILogger logger, string operation, string vm, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation}: running VM {Vm} switched from disk {From} to {To}")]
    private static partial void LogLiveSwitched(ILogger logger, string operation, string vm, string from, string to);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation}: the driver switched the VM to disk {Disk} but its file does not back onto the old leaf; left for start-up recovery")]
    private static partial void LogLiveSwitchUnverified(ILogger logger, string operation, string disk);
}
