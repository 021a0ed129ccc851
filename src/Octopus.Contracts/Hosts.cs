namespace Octopus.Contracts;

/// <summary>A compute node as the API shows it. <see cref="PowerState"/>: On, PoweringOn, PoweringOff, Off, Failed.
/// <see cref="PowerConfig"/>: how it is switched (admins only; null when not configured or not an admin).</summary>
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
    HostPowerConfigDto? PowerConfig = null);

/// <summary>Body of <c>POST /api/v1/hosts/{id}/maintenance</c>.</summary>
public sealed record MaintenanceRequest(bool Enabled);

/// <summary>Body of <c>POST /api/v1/vms/{id}/migrate</c> (admin): live-migrate a running VM to another host.</summary>
public sealed record MigrateRequest(string Host);

/// <summary>Body of <c>PUT /api/v1/hosts/{id}/power-config</c> (admin): how the host is switched. <see cref="Method"/>:
/// ipmi, redfish, wol, agent or simulated. <see cref="Address"/>: the BMC (IPMI: IP or name; Redfish: IP, name or
/// https:// URL) or, for wol, the broadcast address (default 255.255.255.255). <see cref="Password"/> is stored sealed
/// and never returned; leave it out to keep the stored one. <see cref="Fallback"/>: methods tried in order when
/// <see cref="Method"/> fails (e.g. ["wol"], which needs <see cref="Mac"/>).</summary>
public sealed record HostPowerConfigRequest(
    string? Method,
    string? Address = null,
    int? Port = null,
    string? User = null,
    string? Password = null,
    string? Mac = null,
    IReadOnlyList<string>? Fallback = null);

/// <summary>A host's power configuration as the API shows it: never the password, only whether one is stored.</summary>
public sealed record HostPowerConfigDto(
    string Method,
    string? Address,
    int? Port,
    string? User,
    bool HasPassword,
    string? Mac,
    IReadOnlyList<string> Fallback);
