namespace Octopus.Contracts;

/// <summary>A compute node as the API shows it. <see cref="PowerState"/>: On, PoweringOn, PoweringOff, Off, Failed.</summary>
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
    IReadOnlyList<string> Vms);

/// <summary>Body of <c>POST /api/v1/hosts/{id}/maintenance</c>.</summary>
public sealed record MaintenanceRequest(bool Enabled);

/// <summary>Body of <c>POST /api/v1/vms/{id}/migrate</c> (admin): live-migrate a running VM to another host.</summary>
public sealed record MigrateRequest(string Host);
