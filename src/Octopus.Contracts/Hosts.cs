namespace Octopus.Contracts;

/// <summary>A compute node as the API shows it. <see cref="PowerState"/>: On, PoweringOn, PoweringOff, Off, Failed.
/// <see cref="PowerConfig"/>: how it is switched (admins only; null when not configured or not an admin).
/// <see cref="PowerWatts"/> is what its BMC measured when <see cref="PowerMeasured"/>, else its power model's estimate.
/// <see cref="MaintenanceStatus"/>: how its maintenance is going and what it waits for (null when not in maintenance).</summary>
public sealed record HostDto(
    string Id,
    string Name,
    string PowerState,
    bool Maintenance,
    int Cores,
    double MipsPerCore,
    long MemoryBytes,
    long DiskBytes,
    int AllocatedCores,
    long AllocatedMemoryBytes,
    long AllocatedDiskBytes,
    int VmCount,
    double CpuLoad,
    double PowerWatts,
    IReadOnlyList<string> Vms,
    HostPowerConfigDto? PowerConfig = null,
    HostPowerOperationDto? PowerOperation = null,
    bool PowerMeasured = false,
    HostMaintenanceDto? MaintenanceStatus = null);

/// <summary>How a host's maintenance is going. <see cref="Summary"/>: one sentence, e.g. "Waiting: 2 running VM(s) to
/// move off (1 moving, 1 cannot move yet)." or "Drained: no running VM left.". <see cref="Waiting"/>: the running VMs
/// that cannot move off yet, each with the scheduler's reason (only the VMs the caller may see).</summary>
public sealed record HostMaintenanceDto(string Summary, IReadOnlyList<MaintenanceWaitDto> Waiting);

/// <summary>A running VM (its id and name) that a maintenance is waiting for, and why it cannot move yet (the placement decision's
/// summary, e.g. "no host fits 1 vCPU, 12 GiB memory, 10 GiB disk: 2 lack memory, 1 is in maintenance").</summary>
public sealed record MaintenanceWaitDto(string Id, string Name, string Reason);

/// <summary>A host's latest power operation (admins only, like its power configuration): <see cref="Kind"/> power-on or
/// power-off, <see cref="Status"/> Pending, Running, Succeeded or Failed, <see cref="Error"/> why it failed (a power-on
/// that failed on every method lists each method's reason and leaves the host Failed until powered on again), and the
/// <see cref="Steps"/> taken so far.</summary>
public sealed record HostPowerOperationDto(
    string Id,
    string Kind,
    string Status,
    string Actor,
    string? Error,
    IReadOnlyList<OperationStepDto> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>One step of an operation: when it ended and what happened.</summary>
public sealed record OperationStepDto(DateTimeOffset At, string Text);

/// <summary>Body of <c>POST /api/v1/hosts/{id}/maintenance</c>.</summary>
public sealed record MaintenanceRequest(bool Enabled);

/// <summary>Body of <c>POST /api/v1/vms/{id}/migrate</c> (admin): live-migrate a running VM to another host.</summary>
public sealed record MigrateRequest(string Host);

/// <summary>Body of <c>PUT /api/v1/hosts/{id}/power-config</c> (admin): how the host is switched. <see cref="Method"/>:
/// ipmi, redfish, wol, agent or simulated. <see cref="Address"/>: the BMC (IPMI: IP or name; Redfish: IP, name or
/// https:// URL) or, for wol, the broadcast address (default 255.255.255.255). <see cref="Password"/> is stored sealed
/// and never returned; leave it out to keep the stored one. <see cref="Fallback"/>: methods tried in order when
/// <see cref="Method"/> fails (e.g. ["wol"], which needs <see cref="Mac"/>). Redfish's TLS: by default the BMC's
/// certificate must chain to the system's CAs and match its name; <see cref="TlsFingerprint"/> pins a self-signed
/// certificate by its SHA-256 fingerprint (hex, colons allowed), <see cref="CaCertificate"/> (PEM) names the CA it must
/// chain to instead; give at most one, and "" to clear a stored one (null keeps it).</summary>
public sealed record HostPowerConfigRequest(
    string? Method,
    string? Address = null,
    int? Port = null,
    string? User = null,
    string? Password = null,
    string? Mac = null,
    IReadOnlyList<string>? Fallback = null,
    string? TlsFingerprint = null,
    string? CaCertificate = null);

/// <summary>A host's power configuration as the API shows it: never the password, only whether one is stored.</summary>
public sealed record HostPowerConfigDto(
    string Method,
    string? Address,
    int? Port,
    string? User,
    bool HasPassword,
    string? Mac,
    IReadOnlyList<string> Fallback,
    string? TlsFingerprint = null,
    string? CaSubject = null);
