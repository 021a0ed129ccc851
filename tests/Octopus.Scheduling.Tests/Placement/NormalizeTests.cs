using Octopus.Scheduling.Placement;

namespace Octopus.Scheduling.Tests.Placement;

public class NormalizeTests
{
    [Theory]
    [InlineData(3000, 1000, 4000, true, 66.666666666666671)] // (3000-1000)*100/(4000-1000) = 66.67
    [InlineData(3000, 0, 4000, false, 25)]                    // lower is better: (4000-3000)*100/4000 = 25
    [InlineData(4000, 0, 4000, true, 100)]                    // the best host gets 100
    [InlineData(0, 0, 4000, true, 0)]                         // the worst gets 0
    [InlineData(7, 7, 7, false, 100)]                         // all equal: everyone is best
    public void Normalize_RawAcrossRange_Maps0To100(double raw, double min, double max, bool higherIsBetter, double expected) =>
        PlacementPipeline.Normalize(raw, min, max, higherIsBetter).Should().Be(expected);
}
