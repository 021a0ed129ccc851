using Octopus.Consolidation.Model;
using Octopus.Simulation.Setup;

namespace Octopus.Simulation.Metrics;

/// <summary>Energy no schedule can beat for a workload.</summary>
/// <param name="AllVmsKWh">The data README's bound: every VM's demand in all 288 intervals served fractionally at the
/// most efficient operating point (a fully loaded host of the best watts-per-MIPS type). It ignores that CloudSim ends
/// VMs whose use reaches zero, so it is not a bound for the simulated day; it is kept to compare with the README.</param>
/// <param name="SimpleKWh">The same idea for the day as simulated: only VMs still running, only the intervals the
/// simulator charges (CloudSim charges nothing before the first sample), demand linear within an interval.</param>
/// <param name="TightKWh">Tighter, same day: hosts come in whole units, so an interval needs at least
/// ⌈demand / host capacity⌉ hosts (and, with memory enforced, ⌈running VMs' RAM / host RAM⌉); n hosts sharing demand D
/// draw at least n × h(D / n), h being the lower convex envelope of the power curve (for a convex cost an equal split is
/// optimal); the best n is taken, at the interval's lower end of demand, and never below the fractional bound. Only the most efficient type is used while it
/// suffices.</param>
public readonly record struct LowerBound(double AllVmsKWh, double SimpleKWh, double TightKWh)
{
    /// <summary>Energy of the reference schedule (<see cref="ReferencePacker"/>): reachable, unlike the bounds.</summary>
    public double ReferenceKWh { get; init; }
}

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
        var envelope = ConvexEnvelope(bestType);
        var dt = workload.IntervalSeconds;
        var steps = workload.Steps;
        var finish = new int[workload.Vms.Length];
        for (var v = 0; v < finish.Length; v++) finish[v] = CloudSimWorkloadRules.FinishStep(workload.Trace, workload.Vms[v].TraceRow);

        var all = new double[steps];
        var live = new double[steps];
        var liveRam = new double[steps];
        for (var k = 0; k < steps; k++)
        {
            for (var v = 0; v < workload.Vms.Length; v++)
            {
                var vm = workload.Vms[v];
                var d = workload.Trace.Percent(vm.TraceRow, k) / 100.0 * vm.Mips;
                all[k] += d;
                if (k < finish[v])
                {
                    live[k] += d;
                    liveRam[k] += vm.RamMb;
                }
            }
        }
        double allVms = 0, simple = 0, tight = 0;
        for (var k = 0; k < steps; k++) allVms += all[k] * wattsPerMips * dt;
        // The simulator charges intervals 1→2 … (steps−2)→(steps−1).
        for (var k = 1; k + 1 < steps; k++)
        {
            var fractional = (live[k] + live[k + 1]) / 2 * wattsPerMips * dt;
            simple += fractional;
            var demand = Math.Min(live[k], live[k + 1]);
            if (demand <= 0)
            {
                tight += fractional;
                continue;
            }
            var ram = memory == MemoryMode.Enforced ? Math.Min(liveRam[k], liveRam[k + 1]) : 0;
            var minHosts = Math.Max((int)Math.Ceiling(demand / bestType.TotalMips), (int)Math.Ceiling(ram / bestType.RamMb));
            if (minHosts > bestCount)
            {
                // Beyond the efficient type the fractional bound still holds; keep it rather than model mixed fleets.
                tight += fractional;
                continue;
            }
            var bestWatts = double.MaxValue;
            for (var n = Math.Max(1, minHosts); n <= bestCount; n++)
            {
                var w = n * envelope(demand / n);
                if (w < bestWatts) bestWatts = w;
                else break;
            }
            // Both are valid bounds for the interval, so their maximum is too.
            tight += Math.Max(bestWatts * dt, fractional);
        }
        return new LowerBound(allVms / 3.6e6, simple / 3.6e6, tight / 3.6e6);
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
