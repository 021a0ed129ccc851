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
/// <param name="Figures">Memory and I/O rates, when the driver measures them (null: not measured, and the VM's history
/// records its CPU alone).</param>
public sealed record VmObservation(VmId Vm, bool Running, bool Suspended, double CpuLoad, VmFigures? Figures = null);

/// <summary>What a running VM uses besides CPU, as its node measured it since the previous observation.</summary>
/// <param name="MemoryBytes">Memory in use (the hypervisor process's resident memory, or the guest's as simulated).</param>
/// <param name="DiskReadBytesPerSecond">Bytes read from its disks per second.</param>
/// <param name="DiskWriteBytesPerSecond">Bytes written to its disks per second.</param>
/// <param name="NetReceiveBytesPerSecond">Bytes its NICs received per second.</param>
/// <param name="NetTransmitBytesPerSecond">Bytes its NICs sent per second.</param>
public sealed record VmFigures(long MemoryBytes, double DiskReadBytesPerSecond, double DiskWriteBytesPerSecond,
    double NetReceiveBytesPerSecond, double NetTransmitBytesPerSecond);
