using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>One node as its hypervisor sees it now.</summary>
/// <param name="Host">The node.</param>
/// <param name="Power">On, or Failed when the node is known to be down (an agent that stopped heartbeating).</param>
/// <param name="CpuLoad">Fraction of the node's processors busy, 0–1.</param>
/// <param name="Vms">Every VM defined on the node, running or not.</param>
public sealed record NodeObservation(HostId Host, HostPowerState Power, double CpuLoad, IReadOnlyList<VmObservation> Vms);

/// <summary>One VM on a node.</summary>
/// <param name="Vm">The VM.</param>
/// <param name="Running">The hypervisor runs it (a suspended VM is running, with <paramref name="Suspended"/> set).</param>
/// <param name="Suspended">Its vCPUs are stopped.</param>
/// <param name="CpuLoad">Fraction of its vCPUs busy, 0–1.</param>
public sealed record VmObservation(VmId Vm, bool Running, bool Suspended, double CpuLoad);
