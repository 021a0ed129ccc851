using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>Told when a host's agent stops heartbeating (the host is marked Failed) and when it comes back. Register any
/// number as singletons; the policy engine subscribes here to restart a failed host's VMs elsewhere. Called from the
/// health monitor's loop: keep it quick, and do not throw (exceptions are logged and ignored).</summary>
public interface IHostFailureListener
{
    /// <summary><paramref name="vms"/>: the VMs the store placed on the host when it failed.</summary>
    Task HostFailedAsync(HostId host, string hostName, IReadOnlyList<VmId> vms, CancellationToken ct);

    Task HostRecoveredAsync(HostId host, string hostName, CancellationToken ct);
}
