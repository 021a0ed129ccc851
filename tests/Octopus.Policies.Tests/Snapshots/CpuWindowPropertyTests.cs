using CsCheck;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests.Snapshots;

/// <summary>The engine's window aggregate (guessed index, prefix sums, several lanes at a time) against the plain
/// definition: the samples in [now − window, now], when the history covers the window.</summary>
public class CpuWindowPropertyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Aggregate_RandomHistoriesAndWindows_SameAsThePlainDefinition()
    {
        var gen = Gen.Select(Gen.Int[0, 300], Gen.Int[0, 2], Gen.Int[1, 400], Gen.Int[-5, 5], Gen.Int);
        gen.Sample((count, spacing, windowMinutes, nowShift, seed) =>
        {
            var rng = new Random(seed);
            // Regular per-minute samples, jittered ones, or irregular ones; values include 0, -0 and repeats.
            var samples = Enumerable.Range(0, count).Select(i => new CpuSample(
                Now.AddMinutes(i - count + 1).AddSeconds(spacing switch { 0 => 0, 1 => rng.Next(-20, 20), _ => rng.Next(-600, 600) }),
                rng.Next(5) switch { 0 => 0.0, 1 => -0.0, _ => Math.Round(rng.NextDouble() * 100, rng.Next(0, 3)) })).ToList();
            var history = CpuHistory.From(samples);
            var now = Now.AddMinutes(nowShift);
            var window = TimeSpan.FromMinutes(windowMinutes);
            var inWindow = history.Samples.Where(s => s.At >= now - window && s.At <= now).Select(s => s.Percent).ToList();
            var covered = history.Count > 0 && history.Samples.First().At <= now - window && inWindow.Count > 0;
            for (var kind = 0; kind < 3; kind++)
            {
                var value = history.Aggregate(now, window, kind, out var cost);
                if (!covered)
                {
                    value.Should().BeNull();
                    continue;
                }
                var expected = kind switch { 0 => inWindow.Average(), 1 => inWindow.Max(), _ => inWindow.Min() };
                value.Should().NotBeNull();
                if (kind == 0) value!.Value.Should().BeApproximately(expected, 1e-9);
                else value!.Value.Should().Be(expected);
                cost.Should().Be(kind == 0 ? 0 : inWindow.Count);
            }
            history.Max(now, window).Should().Be(covered ? inWindow.Max() : null);
            history.Min(now, window).Should().Be(covered ? inWindow.Min() : null);
        }, iter: 3000, seed: "0N0XIzNsQ0O2");
    }
}
