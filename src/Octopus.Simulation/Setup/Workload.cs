using Octopus.Consolidation.Model;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Setup;

/// <summary>A VM of the experiment: its size and which trace row drives it.</summary>
public readonly record struct VmSpec(double Mips, double RamMb, double BandwidthMbps, int TraceRow);

/// <summary>Hosts, VMs and the trace that drives them: everything a simulation run needs besides the policy.</summary>
public sealed class Workload
{
    public Workload(IReadOnlyList<HostType> hostTypes, int[] hostTypeOf, VmSpec[] vms, PlanetLabTrace trace, double intervalSeconds = 300)
    {
        HostTypes = hostTypes;
        HostTypeOf = hostTypeOf;
        Vms = vms;
        Trace = trace;
        IntervalSeconds = intervalSeconds;
    }

    public IReadOnlyList<HostType> HostTypes { get; }
    public int[] HostTypeOf { get; }
    public VmSpec[] Vms { get; }
    public PlanetLabTrace Trace { get; }
    public double IntervalSeconds { get; }
    public int Steps => Trace.Steps;
    public int HostCount => HostTypeOf.Length;
}
