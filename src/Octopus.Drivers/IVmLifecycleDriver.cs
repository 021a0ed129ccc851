using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>What the hypervisor needs to know to create a VM.</summary>
public sealed record VmRuntimeSpec(VmId Id, string Name, Geometry Geometry);

/// <summary>Runs VMs on hosts. Every method is idempotent: the server replays journaled operations after a restart,
/// so asking for a state that already holds must succeed without doing anything.</summary>
public interface IVmLifecycleDriver
{
    /// <summary>Short name shown in health output, e.g. "simulated".</summary>
    string Name { get; }

    /// <summary>Defines the VM on <paramref name="host"/> and boots it.</summary>
    Task CreateAsync(VmRuntimeSpec spec, HostId host, CancellationToken ct);

    Task StartAsync(VmId vm, CancellationToken ct);

    /// <summary>Graceful shutdown; the driver forces it off after its own timeout.</summary>
    Task StopAsync(VmId vm, CancellationToken ct);

    Task RebootAsync(VmId vm, CancellationToken ct);

    /// <summary>Removes the VM from its host. Deleting a VM the driver does not know succeeds.</summary>
    Task DeleteAsync(VmId vm, CancellationToken ct);

    /// <summary>Live-migrates a running VM; on failure the VM keeps running on its source host.</summary>
    Task MigrateAsync(VmId vm, HostId destination, IProgress<double>? progress, CancellationToken ct);
}

/// <summary>Switches hosts on and off.</summary>
public interface IHostPowerDriver
{
    Task PowerOnAsync(HostId host, CancellationToken ct);

    /// <summary>Powers a host off. The caller guarantees the host holds no running VM.</summary>
    Task PowerOffAsync(HostId host, CancellationToken ct);
}

/// <summary>Observed state of one VM as the driver sees it.</summary>
public sealed record VmObservation(VmId Vm, HostId Host, bool Running, double CpuLoad);

/// <summary>Observed state of one host.</summary>
public sealed record HostObservation(HostId Host, HostPowerState PowerState, double CpuLoad);

/// <summary>What runs where and how busy it is.</summary>
public interface IClusterTelemetry
{
    Task<ClusterObservation> ObserveAsync(CancellationToken ct);
}

public sealed record ClusterObservation(IReadOnlyList<HostObservation> Hosts, IReadOnlyList<VmObservation> Vms);

/// <summary>A driver could not do what was asked. The message is shown to the VM's owner.</summary>
public sealed class DriverException(string message, Exception? inner = null) : Exception(message, inner);
