namespace Octopus.Contracts;

/// <summary>The tail of a VM's serial console. <see cref="Text"/> is the last <see cref="Bytes"/> bytes the guest wrote
/// (UTF-8; a cut character shows as U+FFFD), at most the number asked for.</summary>
public sealed record VmConsoleDto(string Vm, string Text, int Bytes);

/// <summary>The answer to <c>POST /api/v1/vms/{id}/console/ticket[?kind=serial]</c> (serial is the only kind so far): a
/// short-lived ticket that opens one console of one VM for the caller who asked for it: connect a WebSocket to
/// <see cref="Url"/> (a path on this server, the ticket in its query) before <see cref="ExpiresAt"/>. What is sent is typed
/// into the guest; what arrives (binary messages) is what it prints. A refused connection is closed with a code 4400
/// (ticket invalid), 4401 (expired), 4403 (another VM's or another caller's ticket, or another origin), 4404 (VM gone) or
/// 4409 (VM not running, console unavailable), the reason saying why.</summary>
public sealed record ConsoleTicketDto(string Vm, string VmId, string Kind, string Ticket, DateTimeOffset ExpiresAt, string Url);

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
