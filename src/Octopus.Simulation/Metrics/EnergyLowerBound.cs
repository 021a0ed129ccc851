using Octopus.Consolidation.Model;
using Octopus.Simulation.Setup;

namespace Octopus.Simulation.Metrics;

/// <summary>Energy no schedule can beat for a workload.</summary>
/// <param name="SimpleKWh">Each interval's total demand served fractionally at the most efficient operating point
/// (a fully loaded host of the best watts-per-MIPS type), as in the data README.</param>
/// <param name="TightKWh">A tighter bound: hosts come in whole units, so each interval needs at least
/// ⌈demand / capacity⌉ hosts (and, with memory enforced, ⌈total RAM / host RAM⌉), and n hosts sharing a demand D draw at
/// least n × h(D/n), where h is the lower convex envelope of the host's power curve (equal split is optimal for a convex
/// cost); the best n is taken. Only the most efficient type is used while it suffices.</param>
public readonly record struct LowerBound(double SimpleKWh, double TightKWh);

/// <summary>Computes <see cref="LowerBound"/> for a workload.</summary>
public static class EnergyLowerBound
{
    public static LowerBound Compute(Workload workload, MemoryMode memory)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var types = workload.HostTypes;
        var best = 0;
        for (var t = 1; t < types.Count; t++)
        {
            if (types[t].MaxWatts / types[t].TotalMips < types[best].MaxWatts / types[best].TotalMips) best = t;
        }
        var bestType = types[best];
        var bestCount = workload.HostTypeOf.Count(t => t == best);
        var wattsPerMips = bestType.MaxWatts / bestType.TotalMips;
        double totalRam = 0;
        foreach (var vm in workload.Vms) totalRam += vm.RamMb;
        var ramHosts = memory == MemoryMode.Enforced ? (int)Math.Ceiling(totalRam / bestType.RamMb) : 0;
        var envelope = ConvexEnvelope(bestType);
        double simple = 0, tight = 0;
        var dt = workload.IntervalSeconds;
        for (var k = 0; k < workload.Steps; k++)
        {
            double demand = 0;
            foreach (var vm in workload.Vms) demand += workload.Trace.Percent(vm.TraceRow, k) / 100.0 * vm.Mips;
            simple += demand * wattsPerMips * dt;
            var minHosts = Math.Max((int)Math.Ceiling(demand / bestType.TotalMips), ramHosts);
            if (demand <= 0) continue;
            if (minHosts > bestCount)
            {
                // Beyond the efficient type the simple bound still holds; keep it rather than model mixed fleets.
                tight += demand * wattsPerMips * dt;
                continue;
            }
            var bestWatts = double.MaxValue;
            for (var n = Math.Max(1, minHosts); n <= bestCount; n++)
            {
                var w = n * envelope(demand / n);
                if (w < bestWatts) bestWatts = w;
                else if (n > minHosts + 2 && w > bestWatts) break;
            }
            tight += bestWatts * dt;
        }
        return new LowerBound(simple / 3.6e6, tight / 3.6e6);
    }

    /// <summary>The lower convex envelope of a host's watts over [0, capacity] MIPS (for an on host).</summary>
    private static Func<double, double> ConvexEnvelope(HostType type)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i <= 10; i++)
        {
            var x = type.TotalMips * i / 10;
            var y = type.WattsAt(i / 10.0);
            while (xs.Count >= 2)
            {
                var (x1, y1, x2, y2) = (xs[^2], ys[^2], xs[^1], ys[^1]);
                // Drop the middle point when it lies on or above the chord from its left neighbour to the new point.
                if ((y2 - y1) * (x - x1) >= (y - y1) * (x2 - x1)) { xs.RemoveAt(xs.Count - 1); ys.RemoveAt(ys.Count - 1); }
                else break;
            }
            xs.Add(x);
            ys.Add(y);
        }
        double[] hx = [.. xs], hy = [.. ys];
        return x =>
        {
            if (x >= hx[^1]) return hy[^1];
            for (var i = 1; i < hx.Length; i++)
            {
                if (x <= hx[i]) return hy[i - 1] + ((hy[i] - hy[i - 1]) * (x - hx[i - 1]) / (hx[i] - hx[i - 1]));
            }
            return hy[^1];
        };
    }
}
