using Octopus.Consolidation.Model;
using Octopus.Simulation.Setup;

namespace Octopus.Simulation.Metrics;

/// <summary>The reference schedule reported beside the lower bounds: what a packer reaches that knows the future,
/// migrates for free and never runs a host short of CPU. Not a bound (the packing is greedy), but a schedule that exists,
/// so a policy's distance to it is distance that can be closed; the tight bound itself is not reachable without SLA loss.</summary>
/// <remarks>Definition, per charged interval k → k+1 (the intervals the simulator charges, the VMs it runs):
/// <list type="bullet">
/// <item>Each running VM's peak demand over the interval is max(d_k, d_k+1) — use is linear in between, so the peak is
/// at an end; knowing it is the "future-knowing" part.</item>
/// <item>All VMs are re-packed from scratch every interval (free, instantaneous migrations), first-fit decreasing by
/// peak onto hosts of the most efficient type first (watts per MIPS at full load), each host taking VMs while the sum of
/// peaks stays within its capacity, each peak within one core, and (memory enforced) RAM within its memory: no host is
/// ever short of CPU, so SLATAH and PDM are 0.</item>
/// <item>Energy of a used host is the trapezoid of its power at the actual loads at both ends; unused hosts are off.</item>
/// <item>At <c>--scale K</c> the scale-1 packing replicated K times (a valid schedule of the replicated cluster).</item>
/// </list></remarks>
public static class ReferencePacker
{
    public static double ComputeKWh(Workload workload, MemoryMode memory, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(workload);
        // Replicas share trace rows, so one copy's packing is every copy's.
        var n = workload.Vms.Length / Math.Max(1, scale);
        var hostCount = workload.HostCount / Math.Max(1, scale);
        var types = workload.HostTypes;
        var hosts = Enumerable.Range(0, hostCount)
            .OrderBy(h => types[workload.HostTypeOf[h]].MaxWatts / types[workload.HostTypeOf[h]].TotalMips).ThenBy(h => h).ToArray();
        var finish = new int[n];
        for (var v = 0; v < n; v++) finish[v] = CloudSimWorkloadRules.FinishStep(workload.Trace, workload.Vms[v].TraceRow);
        var dt = workload.IntervalSeconds;
        var steps = workload.Steps;
        var peak = new double[n];
        var order = new int[n];
        var loadA = new double[hostCount];
        var loadB = new double[hostCount];
        var sumPeak = new double[hostCount];
        var ram = new double[hostCount];
        double joules = 0;
        for (var k = 1; k + 1 < steps; k++)
        {
            var m = 0;
            for (var v = 0; v < n; v++)
            {
                if (k >= finish[v]) continue;
                var vm = workload.Vms[v];
                peak[v] = Math.Max(Demand(workload, v, k), Demand(workload, v, k + 1));
                order[m++] = v;
            }
            Array.Sort(order, 0, m, Comparer<int>.Create((a, b) => peak[b].CompareTo(peak[a]) is var c && c != 0 ? c : a.CompareTo(b)));
            Array.Clear(loadA);
            Array.Clear(loadB);
            Array.Clear(sumPeak);
            Array.Clear(ram);
            var used = 0;
            for (var i = 0; i < m; i++)
            {
                var v = order[i];
                var vm = workload.Vms[v];
                var need = memory == MemoryMode.Enforced ? vm.RamMb : 0;
                var placed = false;
                // First fit over the hosts opened so far, then open the next one in efficiency order.
                for (var j = 0; j < hostCount && !placed; j++)
                {
                    var h = hosts[j];
                    var type = types[workload.HostTypeOf[h]];
                    if (peak[v] > type.MipsPerCore || sumPeak[h] + peak[v] > type.TotalMips || ram[h] + need > type.RamMb) continue;
                    sumPeak[h] += peak[v];
                    ram[h] += need;
                    loadA[h] += Demand(workload, v, k);
                    loadB[h] += Demand(workload, v, k + 1);
                    used = Math.Max(used, j + 1);
                    placed = true;
                }
                if (!placed) throw new InvalidOperationException($"the reference packer cannot place VM {v} in interval {k}: the cluster is too small.");
            }
            for (var j = 0; j < used; j++)
            {
                var h = hosts[j];
                if (sumPeak[h] <= 0 && ram[h] <= 0) continue;
                var type = types[workload.HostTypeOf[h]];
                joules += (type.WattsAt(loadA[h] / type.TotalMips) + type.WattsAt(loadB[h] / type.TotalMips)) * 0.5 * dt;
            }
        }
        return joules * scale / 3.6e6;
    }

    private static double Demand(Workload w, int v, int k) => w.Trace.Percent(w.Vms[v].TraceRow, k) / 100.0 * w.Vms[v].Mips;
}
