using CsCheck;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Model;

/// <summary>A state that keeps only the last samples of its host histories (LimitHistory, as lr-mmt plans) must give
/// the very window a full state gives, to the bit, through additions and removals; reading more must throw.</summary>
public sealed class PlacementStateHistoryTests
{
    [Fact]
    public void LimitHistory_WindowSameAsFullHistory_ThroughMoves()
    {
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            var b = new SnapshotBuilder();
            var hosts = rng.Next(1, 6);
            for (var h = 0; h < hosts; h++) b.Host(rng.Next(2));
            var vmCount = rng.Next(1, 12);
            for (var v = 0; v < vmCount; v++)
            {
                var history = Enumerable.Range(0, rng.Next(0, 31)).Select(_ => rng.NextDouble()).ToArray();
                b.Vm(rng.Next(2) == 0 ? 2500 : 1000, 870, rng.Next(hosts), rng.NextDouble(), history);
            }
            var snapshot = b.Build();
            var full = new PlacementState(snapshot);
            var limited = new PlacementState(snapshot);
            limited.LimitHistory(10);
            var where = snapshot.Vms.Select(v => v.Host).ToArray();
            Span<double> a = stackalloc double[10];
            Span<double> c = stackalloc double[10];
            for (var round = 0; round < 20; round++)
            {
                for (var h = 0; h < hosts; h++)
                {
                    var extra = rng.Next(3) == 0 ? rng.Next(vmCount) : -1;
                    full.HostHistoryLength(h, extra).Should().Be(limited.HostHistoryLength(h, extra));
                    full.HostHistoryWindow(h, extra, a);
                    limited.HostHistoryWindow(h, extra, c);
                    for (var i = 0; i < 10; i++) BitConverter.DoubleToInt64Bits(c[i]).Should().Be(BitConverter.DoubleToInt64Bits(a[i]), $"seed {seed}, host {h}, sample {i}");
                }
                var vm = rng.Next(vmCount);
                var to = rng.Next(hosts);
                foreach (var s in new[] { full, limited })
                {
                    s.Remove(vm, where[vm]);
                    s.Add(vm, to);
                }
                where[vm] = to;
            }
        }, iter: 500);
    }

    [Fact]
    public void LimitHistory_ReadingMoreThanKept_Throws()
    {
        var snapshot = new SnapshotBuilder().Host(0).Vm(1000, 870, 0, 0.5, [.. Enumerable.Repeat(0.5, 30)]).Build();
        var state = new PlacementState(snapshot);
        state.LimitHistory(10);
        var act = () => state.HostHistory(0, -1, new double[30]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*last 10 samples*");
        var window = () => state.HostHistoryWindow(0, -1, new double[11]);
        window.Should().Throw<InvalidOperationException>();
        // Built already: it cannot be limited further.
        state.HostHistoryWindow(0, -1, new double[10]);
        var late = () => state.LimitHistory(5);
        late.Should().Throw<InvalidOperationException>();
    }
}
