using Octopus.Consolidation.Model;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Setup;

/// <summary>The set-up every published PlanetLab figure uses (Beloglazov &amp; Buyya 2012, CloudSim's examples): 800 hosts
/// alternating HP ML110 G4 / G5, four VM types in equal contiguous blocks of the (sorted) trace files, 300 s intervals.</summary>
public static class StandardSetup
{
    public const int Hosts = 800;

    /// <summary>VM types: MIPS {2500, 2000, 1000, 500}, RAM {870, 1740, 1740, 613} MB, 1 core, 100 Mbit/s.</summary>
    public static IReadOnlyList<(double Mips, double RamMb)> VmTypes { get; } =
        [(2500, 870), (2000, 1740), (1000, 1740), (500, 613)];

    public const double VmBandwidthMbps = 100;

    /// <summary>Builds the standard workload, replicated <paramref name="scale"/> times (hosts and VMs; the copies of a
    /// VM share its trace row).</summary>
    public static Workload Build(PlanetLabTrace trace, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1");
        HostType[] types = [HostType.HpProLiantMl110G4, HostType.HpProLiantMl110G5];
        var hostTypeOf = new int[Hosts * scale];
        for (var h = 0; h < hostTypeOf.Length; h++) hostTypeOf[h] = h % 2;
        var n = trace.VmCount;
        var block = (int)Math.Ceiling(n / (double)VmTypes.Count);
        var vms = new VmSpec[n * scale];
        for (var c = 0; c < scale; c++)
        {
            for (var j = 0; j < n; j++)
            {
                var (mips, ram) = VmTypes[j / block];
                vms[(c * n) + j] = new VmSpec(mips, ram, VmBandwidthMbps, j);
            }
        }
        return new Workload(types, hostTypeOf, vms, trace);
    }
}
