namespace Octopus.Contracts;

/// <summary>The tail of a VM's serial console. <see cref="Text"/> is the last <see cref="Bytes"/> bytes the guest wrote
/// (UTF-8; a cut character shows as U+FFFD), at most the number asked for.</summary>
public sealed record VmConsoleDto(string Vm, string Text, int Bytes);

/// <summary>A VM's latest operation as it runs: <see cref="Kind"/> (<c>CreateVm</c>, <c>MigrateVm</c>, …),
/// <see cref="Status"/> (<c>Pending</c>, <c>Running</c>, <c>Succeeded</c>, <c>Failed</c>), <see cref="Progress"/> (0–1, while
/// the driver reports it; 1 once it succeeded), <see cref="Error"/> when it failed, <see cref="TargetHost"/> for a
/// migration, and what a finished migration cost: <see cref="TotalSeconds"/> (measured by the server) and
/// <see cref="DowntimeMilliseconds"/> (when the driver reports it; null otherwise).</summary>
public sealed record VmOperationDto(
    string Id,
    string Vm,
    string Kind,
    string Status,
    double? Progress,
    string? Error,
    string? TargetHost,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    double? TotalSeconds,
    double? DowntimeMilliseconds);
