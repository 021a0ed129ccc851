using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Detectors;

public sealed class StaticThresholdDetectorTests
{
    public static TheoryData<double, double, double, bool> Cases => new()
    {
        // utilisation = (u1 × 2500 + u2 × 2000) / 5320
        { 0.80, 0.80, 0.8, false }, // (2000 + 1600) / 5320 = 0.677 ≤ 0.8
        { 1.00, 0.90, 0.8, true },  // (2500 + 1800) / 5320 = 0.808 > 0.8
        { 1.00, 0.90, 0.9, false }, // 0.808 ≤ 0.9
        { 0.00, 0.00, 0.1, false }, // 0 ≤ 0.1
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_RequestsAgainstThreshold_ComparesUncappedSum(double u1, double u2, double threshold, bool expected)
    {
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Vm(2500, 870, 0, u1).Vm(2000, 1740, 0, u2).Build();
        var verdict = new StaticThresholdDetector(threshold).Evaluate(new PlacementState(snapshot), 0, -1);
        verdict.Overloaded.Should().Be(expected);
        verdict.Metric.Should().BeApproximately(((u1 * 2500) + (u2 * 2000)) / 5320, 1e-12);
    }

    [Fact]
    public void Evaluate_WithExtraVm_CountsItWithoutAddingIt()
    {
        // host: 0.5 × 2000 = 1000; extra: 0.9 × 2500 = 2250; (1000 + 2250) / 3720 = 0.874 > 0.8
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G4).Host(SnapshotBuilder.G5)
            .Vm(2000, 1740, 0, 0.5).Vm(2500, 870, 1, 0.9).Build();
        var state = new PlacementState(snapshot);
        new StaticThresholdDetector(0.8).Evaluate(state, 0, 1).Overloaded.Should().BeTrue();
        state.VmsOn(0).Should().Equal(0);
    }

    [Fact]
    public void Constructor_ThresholdOutOfRange_Throws()
    {
        var act = () => new StaticThresholdDetector(1.5);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
