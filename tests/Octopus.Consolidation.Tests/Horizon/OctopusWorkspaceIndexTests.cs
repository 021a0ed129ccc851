using CsCheck;
using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Horizon;

/// <summary>The indexed target search must choose exactly the host the reference scan chooses, on random clusters
/// (loads, memory, histories, idle and off hosts, both memory modes), after random moves, with and without
/// exclusions and power-on.</summary>
public sealed class OctopusWorkspaceIndexTests
{
    private static readonly (double Mips, double Ram)[] VmTypes = [(2500, 870), (2000, 1740), (1000, 1740), (500, 613)];

    private static ClusterSnapshot RandomCluster(Random rng)
    {
        var b = new SnapshotBuilder().Memory(rng.Next(2) == 0 ? MemoryMode.Enforced : MemoryMode.CloudSim).Step(rng.Next(1, 50));
        var hosts = rng.Next(2, 40);
        for (var h = 0; h < hosts; h++) b.Host(rng.Next(2), rng.Next(-20, 50));
        var ramLeft = Enumerable.Repeat(4096.0, hosts).ToArray();
        var vms = rng.Next(0, 3 * hosts);
        // A few hosts carry most VMs, so some are nearly full and some buckets hold several hosts.
        var busy = rng.Next(1, hosts + 1);
        for (var v = 0; v < vms; v++)
        {
            var (mips, ram) = VmTypes[rng.Next(4)];
            var host = rng.Next(busy);
            if (rng.Next(4) == 0 || ramLeft[host] < ram) host = -1;
            else ramLeft[host] -= ram;
            // Repeated values make equal loads (exact score ties) common.
            var history = Enumerable.Range(0, rng.Next(0, 10)).Select(_ => rng.Next(1, 5) / 4.0).ToArray();
            b.Vm(mips, ram, host, rng.Next(5) == 0 ? 0 : rng.Next(1, 5) / 4.0, history);
        }
        var snapshot = b.Build();
        // Some empty hosts are on (idle), the rest stay off.
        for (var h = 0; h < hosts; h++)
        {
            if (snapshot.Hosts[h].Power == HostPower.Off && rng.Next(3) == 0) snapshot.Hosts[h] = snapshot.Hosts[h] with { Power = HostPower.On };
        }
        return snapshot;
    }

    [Fact]
    public void ChooseTarget_RandomClustersAndMoves_SameHostAsScan()
    {
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            var snapshot = RandomCluster(rng);
            var options = OctopusOptions.Default with { FillTarget = 0.5 + (rng.Next(6) / 10.0) };
            var work = new OctopusWorkspace(snapshot, options, new DemandForecaster(options.ForecastWindow, options.ForecastSafety));
            var hostCount = snapshot.Hosts.Length;
            var where = snapshot.Vms.Select(v => v.Host).ToArray();
            for (var round = 0; round < 30; round++)
            {
                // A random move between hosts that are on (as drains and reliefs make).
                var vm = rng.Next(Math.Max(1, where.Length));
                if (where.Length > 0 && where[vm] >= 0)
                {
                    var to = rng.Next(hostCount);
                    if (work.IsOn(to) && to != where[vm])
                    {
                        work.Unassign(vm, where[vm]);
                        work.Assign(vm, to);
                        where[vm] = to;
                    }
                }
                if (where.Length == 0) break;
                var probe = rng.Next(where.Length);
                var exclude = rng.Next(3) == 0 ? rng.Next(hostCount) : -1;
                HostSet? also = null;
                if (rng.Next(3) == 0)
                {
                    also = new HostSet(hostCount);
                    for (var k = rng.Next(1, 4); k > 0; k--) also.Add(rng.Next(hostCount));
                }
                var allowPowerOn = rng.Next(2) == 0;
                var scan = work.ChooseTargetByScan(probe, exclude, allowPowerOn, also);
                var indexed = work.ChooseTarget(probe, exclude, allowPowerOn, also);
                indexed.Should().Be(scan, $"seed {seed}, round {round}, VM {probe}, exclude {exclude}, power-on {allowPowerOn}");
            }
            // The policy's own passes power hosts on and move VMs; the two searches still agree afterwards.
            work.PlaceNewVms();
            work.RelieveOverloads();
            for (var probe = 0; probe < where.Length; probe++)
            {
                work.ChooseTarget(probe, -1, true).Should().Be(work.ChooseTargetByScan(probe, -1, true), $"seed {seed}, VM {probe} after the passes");
            }
        }, iter: 300);
    }
}
