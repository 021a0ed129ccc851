using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Detectors;

public sealed class LocalRegressionDetectorTests
{
    private static readonly IOverloadDetector Fallback = new StaticThresholdDetector(0.7);

    /// <summary>History of one 2660-MIPS-worth VM on a G5: host share = VM use × 2660 / 5320 = use / 2.</summary>
    private static ClusterSnapshot OneVm(double current, double[] historyRecentFirst) =>
        new SnapshotBuilder().Host(SnapshotBuilder.G5).Vm(2660, 1000, 0, current, historyRecentFirst).Build();

    [Fact]
    public void Evaluate_RisingLine_ExtrapolatesPastMigrationAndAppliesSafety()
    {
        // VM use oldest→newest 0.10, 0.20, …, 1.00 → host share y = 0.05·x (x = 1..10): intercept 0, slope 0.05.
        // Migration of 1000 MB takes 16 s → ceil(16 / 300) = 1 interval, so predict at x = 11: 0.55; × 1.2 = 0.66 < 1.
        var history = Enumerable.Range(1, 10).Select(i => i / 10.0).Reverse().ToArray();
        var verdict = new LocalRegressionDetector(1.2, Fallback).Evaluate(new PlacementState(OneVm(1.0, history)), 0, -1);
        verdict.Metric.Should().BeApproximately(0.66, 1e-9);
        verdict.Overloaded.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_HighFlatLoad_IsOverloadedAtOne()
    {
        // Two 2660-MIPS VMs at 0.9 on a 5320 G5: host share flat at 2 · 0.9 · 2660 / 5320 = 0.9; × 1.2 = 1.08 ≥ 1.
        var history = Enumerable.Repeat(0.9, 10).ToArray();
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5)
            .Vm(2660, 1000, 0, 0.9, history).Vm(2660, 1000, 0, 0.9, history).Build();
        var verdict = new LocalRegressionDetector(1.2, Fallback).Evaluate(new PlacementState(snapshot), 0, -1);
        verdict.Metric.Should().BeApproximately(1.08, 1e-9);
        verdict.Overloaded.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_FewerThanTenSamples_UsesFallback()
    {
        // 9 samples only → static 0.7 on current requests: 0.8 × 2660 / 5320 = 0.4 ≤ 0.7.
        var verdict = new LocalRegressionDetector(1.2, Fallback).Evaluate(new PlacementState(OneVm(0.8, Enumerable.Repeat(0.8, 9).ToArray())), 0, -1);
        verdict.Detector.Should().Be("thr-0.7");
        verdict.Overloaded.Should().BeFalse();
    }
}
