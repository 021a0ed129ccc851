using Octopus.Domain.Networks;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Simulated;

/// <summary>One simulated host's hypervisor: the <see cref="INodeDriver"/> over its share of the
/// <see cref="SimulatedCluster"/>. It sees only the VMs on its host, like a real node; a migration moves a VM between
/// two nodes of the same cluster (the destination waits after <see cref="PrepareIncomingAsync"/>, the source hands over).</summary>
public sealed class SimulatedNode(SimulatedCluster cluster, HostId host) : INodeDriver, ISerialConsoleDriver, IFirewallDriver
{
    public string Name => SimulatedCluster.DriverName;

    /// <summary>The simulated host this node runs.</summary>
    public HostId Host { get; } = host;

    public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct) => cluster.CreateAsync(Host, spec, ct);

    public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct) => cluster.StartAsync(Host, spec, ct);

    public Task StopAsync(VmId vm, CancellationToken ct) => cluster.StopAsync(Host, vm, ct);

    public Task RebootAsync(VmId vm, CancellationToken ct) => cluster.RebootAsync(Host, vm, ct);

    public Task DeleteAsync(VmId vm, CancellationToken ct) => cluster.DeleteAsync(Host, vm, ct);

    public Task SuspendAsync(VmId vm, CancellationToken ct) => cluster.SuspendAsync(Host, vm, ct);

    public Task ResumeAsync(VmId vm, CancellationToken ct) => cluster.ResumeAsync(Host, vm, ct);

    /// <summary>Records the new file as the VM's disk (the simulation writes no files).</summary>
    public Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) => cluster.SwitchDiskAsync(Host, vm, newActiveDisk, ct);

    public Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) => cluster.PrepareIncomingAsync(Host, spec, ct);

    /// <summary>Reports progress in ten steps over the operation delay; no downtime is reported (there is none to measure).</summary>
    public Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct) =>
        cluster.MigrateAsync(Host, vm, target, progress, ct);

    public Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) => cluster.ReadConsoleAsync(Host, vm, maxBytes, ct);

    /// <summary>Records the group (no packets to filter); <see cref="SimulatedCluster.IngressOf"/> reports it.</summary>
    public Task ApplyIngressAsync(VmId vm, IReadOnlyList<IngressRule> ingress, CancellationToken ct) => cluster.ApplyIngressAsync(Host, vm, ingress, ct);

    public Task<NodeObservation> ObserveAsync(CancellationToken ct) => cluster.ObserveAsync(Host, ct);

    /// <summary>A session with the VM's simulated guest: a login prompt and a few shell commands (see the README).</summary>
    public Task<Stream> OpenSerialAsync(VmId vm, string user, CancellationToken ct) => cluster.OpenSerialAsync(Host, vm, ct);
}

/// <summary>Every host of the simulated cluster has a node (a host the cluster does not define answers each call with a
/// <see cref="DriverException"/> saying so).</summary>
public sealed class SimulatedNodeResolver(SimulatedCluster cluster) : INodeDriverResolver
{
    public string DriverName => SimulatedCluster.DriverName;

    public INodeDriver For(HostId host) => cluster.Node(host);
}
