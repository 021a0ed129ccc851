using CsCheck;
using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;

namespace Octopus.Consolidation.Tests.Placers;

/// <summary>The indexed power-aware best fit must return exactly what the plain scan returns (host and increase, to the
/// bit) on random clusters — replicated K times as <c>--scale K</c> does, so exact and near ties are common — under
/// LR (long and short histories), IQR and THR detectors, with exclusion sets that grow, change and are cleared, while
/// VMs are added, removed and moved the way the CloudSim policy plans them.</summary>
public sealed class BestFitIndexTests
{
    private static readonly (double Mips, double Ram)[] VmTypes = [(2500, 870), (2000, 1740), (1000, 1740), (500, 613)];

    private static ClusterSnapshot RandomCluster(Random rng, int maxCopies)
    {
        var b = new SnapshotBuilder().Memory(rng.Next(2) == 0 ? MemoryMode.Enforced : MemoryMode.CloudSim);
        var baseHosts = rng.Next(1, 12);
        var copies = rng.Next(1, maxCopies + 1);
        var types = Enumerable.Range(0, baseHosts).Select(_ => rng.Next(2)).ToArray();
        for (var c = 0; c < copies; c++)
        {
            foreach (var t in types) b.Host(t);
        }
        var vms = new List<(double Mips, double Ram, int Host, double Use, double[] History)>();
        for (var v = rng.Next(0, 4 * baseHosts); v > 0; v--)
        {
            var (mips, ram) = VmTypes[rng.Next(4)];
            var host = rng.Next(6) == 0 ? -1 : rng.Next(baseHosts);
            // Quarter steps make equal loads common; long histories let LR decide, short ones its fallback.
            var history = Enumerable.Range(0, rng.Next(0, 2) == 0 ? rng.Next(0, 10) : rng.Next(10, 31)).Select(_ => rng.Next(1, 9) / 8.0).ToArray();
            vms.Add((mips, ram, host, rng.Next(1, 9) / 8.0, history));
        }
        for (var c = 0; c < copies; c++)
        {
            foreach (var vm in vms) b.Vm(vm.Mips, vm.Ram, vm.Host < 0 ? -1 : vm.Host + (c * baseHosts), vm.Use, vm.History);
        }
        var snapshot = b.Build();
        // The observed draw is not always what the planned VMs request (it was measured earlier).
        for (var h = 0; h < snapshot.Hosts.Length; h++)
        {
            if (rng.Next(4) == 0) snapshot.Hosts[h] = snapshot.Hosts[h] with { ObservedMips = rng.Next(0, 9) * 500 };
        }
        return snapshot;
    }

    private static IOverloadDetector RandomDetector(Random rng) => rng.Next(4) switch
    {
        0 => new StaticThresholdDetector(0.8),
        1 => new InterQuartileRangeDetector(1.5, new StaticThresholdDetector(0.7)),
        _ => new LocalRegressionDetector(0.6 + (rng.Next(10) / 10.0), new StaticThresholdDetector(0.7)),
    };

    [Fact]
    public void Choose_RandomClustersMovesAndExclusions_SameAsScan() =>
        ReusedChoicesAgainstScan(maxCopies: 3, rounds: 40, iter: 2000).Should().BeGreaterThan(100);

    // Up to 40 copies of each host (--scale K puts K hosts alike in one bin): members go in and out of large bins from
    // both ends of their arrays (Bin.Insert / Remove shift the shorter side), and the choice is still the scan's.
    [Fact]
    public void Choose_ManyCopiesPerHost_SameAsScan() =>
        ReusedChoicesAgainstScan(maxCopies: 40, rounds: 300, iter: 100).Should().BeGreaterThan(10);

    private static long ReusedChoicesAgainstScan(int maxCopies, int rounds, int iter)
    {
        long reused = 0;
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            var snapshot = RandomCluster(rng, maxCopies);
            var detector = RandomDetector(rng);
            var state = new PlacementState(snapshot);
            var placer = new PowerAwareBestFitPlacer();
            var hosts = snapshot.Hosts.Length;
            var vmCount = snapshot.Vms.Length;
            if (vmCount == 0) return;
            var where = snapshot.Vms.Select(v => v.Host).ToArray();
            var excluded = new HostSet(hosts);
            var vm = -1;
            for (var round = 0; round < rounds; round++)
            {
                switch (rng.Next(8))
                {
                    case 0: excluded = new HostSet(hosts); break;
                    case 1: excluded.Clear(); break;
                    case 2 or 3: excluded.Add(rng.Next(hosts)); break;
                }
                // Often the next VM is one alike (its copy: the index's memo of the last search answers it), as the
                // K copies of a VM at --scale K are placed within a few choices of each other.
                vm = vm >= 0 && rng.Next(2) == 0 ? AlikeOf(snapshot, vm, rng) : rng.Next(vmCount);
                var expected = PowerAwareBestFitPlacer.ChooseByScan(state, vm, excluded, detector);
                var actual = placer.Choose(state, vm, excluded, detector);
                actual.Host.Should().Be(expected.Host, $"seed {seed}, round {round}");
                BitConverter.DoubleToInt64Bits(actual.PowerIncrease).Should().Be(BitConverter.DoubleToInt64Bits(expected.PowerIncrease));
                if (!actual.Found) continue;
                switch (rng.Next(3))
                {
                    case 0:
                        // A move: off its host, onto the chosen one.
                        if (where[vm] >= 0) state.Remove(vm, where[vm]);
                        state.Add(vm, actual.Host);
                        where[vm] = actual.Host;
                        break;
                    case 1:
                        // A tentative underload move, later undone.
                        state.Add(vm, actual.Host);
                        if (rng.Next(2) == 0) state.Remove(vm, actual.Host);
                        else if (where[vm] >= 0) { state.Remove(vm, where[vm]); where[vm] = actual.Host; }
                        else state.Remove(vm, actual.Host);
                        break;
                }
            }
            // The memo path must have been taken, not only the search (IQR never memoises).
            if (detector is not InterQuartileRangeDetector && state.BestFitIndexFor(detector).ReusedChoices > 0) Interlocked.Increment(ref reused);
        }, iter: iter);
        return reused;
    }

    // A VM with the same size, use and history as the given one (itself if it has no copy).
    private static int AlikeOf(ClusterSnapshot snapshot, int vm, Random rng)
    {
        var v = snapshot.Vms[vm];
        var alike = Enumerable.Range(0, snapshot.Vms.Length)
            .Where(i => snapshot.Vms[i].Mips == v.Mips && snapshot.Vms[i].RamMb == v.RamMb && snapshot.Vms[i].Utilisation == v.Utilisation
                && snapshot.Vms[i].Host < 0 == v.Host < 0 && snapshot.History.Of(i).SequenceEqual(snapshot.History.Of(vm)))
            .ToArray();
        return alike[rng.Next(alike.Length)];
    }

    [Fact]
    public void LinearPrediction_MatchesTheFit()
    {
        // y = 0.1, 0.2, …, 1.0 oldest first: slope 0.1, intercept 0, predicted at x = 10 + 1 → 1.1.
        double[] recentFirst = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
        LocalRegressionDetector.LinearPrediction(recentFirst, 1).Should().BeApproximately(1.1, 1e-12);
        // Zeros beyond a short window: y = 0, …, 0, 0.5 (most recent) → slope 0.5·(10·10 − 55)/825, mean 0.05.
        LocalRegressionDetector.LinearPrediction([0.5], 2).Should().BeApproximately(0.05 + (0.5 * 45 / 825 * (12 - 5.5)), 1e-12);
    }
}
