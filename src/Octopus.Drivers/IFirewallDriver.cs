using Octopus.Domain.Networks;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>Security groups on a node: a capability of a node driver apart from <see cref="INodeDriver"/>. A VM's group
/// travels in its <see cref="VmRuntimeSpec.Ingress"/> whenever it is created, started or received; this call changes it
/// on a VM the node already runs, live. The operation runner is its only caller (operation <c>ApplyFirewall</c>).</summary>
public interface IFirewallDriver
{
    /// <summary>Makes every NIC of <paramref name="vm"/> on this node receive new connections exactly as
    /// <paramref name="ingress"/> allows (empty: none), and keeps that for the VM's later starts here. Idempotent; refused
    /// with a <see cref="DriverException"/> when the VM is not defined on this node.</summary>
    Task ApplyIngressAsync(VmId vm, IReadOnlyList<IngressRule> ingress, CancellationToken ct);
}
