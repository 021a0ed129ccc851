using Octopus.Domain.Hosts;

namespace Octopus.Drivers.Simulated;

/// <summary>Switches simulated hosts: a transition takes <see cref="SimulatedClusterOptions.PowerTransitionDelay"/>;
/// powering off a host that still runs VMs is refused, as a careful operator would.</summary>
public sealed class SimulatedPowerDriver(SimulatedCluster cluster) : IHostPowerDriver, IPowerDriverResolver
{
    public Task PowerOnAsync(HostId host, CancellationToken ct) => cluster.PowerOnAsync(host, ct);

    public Task PowerOffAsync(HostId host, CancellationToken ct) => cluster.PowerOffAsync(host, ct);

    /// <summary>Every simulated host is switched by this driver.</summary>
    public IHostPowerDriver For(HostId host) => this;
}
