using Microsoft.Extensions.Logging;

namespace Octopus.Disks.Services;

internal sealed partial class DiskStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation}: new disk(s) {Disks}")]
    private static partial void LogCreated(ILogger logger, string operation, string disks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed and its rollback failed too ({Error}); the recovery pass will finish it")]
    private static partial void LogRollbackFailed(ILogger logger, string operation, string error);
}
