using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Detectors;

public sealed class InterQuartileRangeDetectorTests
{
    [Fact]
    public void Evaluate_TwelveSamples_ThresholdIsOneMinusSTimesIqr()
    {
        // VM1 (2660 MIPS on a 5320 G5) has 12 samples 0.05, 0.10, …, 0.60 → host shares (× 2660/5320) 0.025 … 0.30.
        // n = 12: q1 = sorted[round(0.25 · 13) − 1 = 2] = 0.075; q3 = sorted[round(0.75 · 13) − 1 = 9] = 0.25.
        // IQR = 0.175 → threshold = 1 − 1.5 · 0.175 = 0.7375. VM2 has no history (adds nothing to the host's).
        // Current requests (0.5 + 0.5) · 2660 / 5320 = 0.5 ≤ 0.7375 → not overloaded.
        var history = Enumerable.Range(1, 12).Select(i => i * 0.05).Reverse().ToArray();
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Vm(2660, 500, 0, 0.5, history).Vm(2660, 500, 0, 0.5).Build();
        var verdict = new InterQuartileRangeDetector(1.5, new StaticThresholdDetector(0.7)).Evaluate(new PlacementState(snapshot), 0, -1);
        verdict.Threshold.Should().BeApproximately(0.7375, 1e-9);
        verdict.Overloaded.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_ElevenSamples_UsesFallback()
    {
        var history = Enumerable.Repeat(0.9, 11).ToArray();
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G4).Vm(1860, 500, 0, 0.9, history).Build();
        // fallback: 0.9 · 1860 / 3720 = 0.45 ≤ 0.7
        var verdict = new InterQuartileRangeDetector(1.5, new StaticThresholdDetector(0.7)).Evaluate(new PlacementState(snapshot), 0, -1);
        verdict.Detector.Should().Be("thr-0.7");
    }
}
