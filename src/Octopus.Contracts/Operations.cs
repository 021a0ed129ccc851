namespace Octopus.Contracts;

/// <summary>One entry of the operations journal as <c>GET /api/v1/operations</c> shows it: what was asked
/// (<see cref="Kind"/>: create-vm, start-vm, stop-vm, reboot-vm, delete-vm, migrate-vm, suspend-vm, resume-vm,
/// snapshot-vm, fork-disk, apply-firewall, revert-vm (stop, revert, start), power-on-host, power-off-host, publish-names (a
/// host's DNS learns a network's names; the network is the payload)), on which VM or host, by whom (<see cref="Actor"/>: a user,
/// "alice via policy nightly", "system"), where it is (<see cref="Status"/>: Pending, Running, Succeeded, Failed), its
/// <see cref="Steps"/> so far and, when it failed, why (<see cref="Error"/>, <see cref="ErrorCode"/>). A VM that is gone
/// shows by id only.</summary>
public sealed record OperationDto(
    string Id,
    string Kind,
    string Status,
    string? VmId,
    string? Vm,
    string? Host,
    string? TargetHost,
    string Actor,
    string? Reason,
    string? Error,
    string? ErrorCode,
    int Attempts,
    IReadOnlyList<OperationStepDto> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);
