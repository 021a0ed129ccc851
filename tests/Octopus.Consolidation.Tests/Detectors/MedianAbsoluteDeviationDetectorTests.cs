using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Detectors;

public sealed class MedianAbsoluteDeviationDetectorTests
{
    [Fact]
    public void Evaluate_TwelveSamples_ThresholdIsOneMinusSTimesMad()
    {
        // One 5320-MIPS-worth load: two 2660 VMs with identical history → host share = use.
        // use (recent first): 0.2, 0.4 alternating ×6 → median 0.3, |dev| all 0.1 → MAD 0.1.
        // threshold = 1 − 2.5 · 0.1 = 0.75; current (0.8 + 0.8) · 2660 / 5320 = 0.8 > 0.75 → overloaded.
        var history = Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? 0.2 : 0.4).ToArray();
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5)
            .Vm(2660, 500, 0, 0.8, history).Vm(2660, 500, 0, 0.8, history).Build();
        var verdict = new MedianAbsoluteDeviationDetector(2.5, new StaticThresholdDetector(0.7)).Evaluate(new PlacementState(snapshot), 0, -1);
        verdict.Threshold.Should().BeApproximately(0.75, 1e-9);
        verdict.Metric.Should().BeApproximately(0.8, 1e-9);
        verdict.Overloaded.Should().BeTrue();
    }
}
