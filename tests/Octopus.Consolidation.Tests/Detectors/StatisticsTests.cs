using Octopus.Consolidation.Detectors;

namespace Octopus.Consolidation.Tests.Detectors;

public sealed class StatisticsTests
{
    [Fact]
    public void LinearFit_ExactLine_RecoversInterceptAndSlope()
    {
        // y = 2 + 3x at x = 1..4 → 5, 8, 11, 14
        var (a, b) = Statistics.LinearFit([5, 8, 11, 14]);
        a.Should().BeApproximately(2, 1e-12);
        b.Should().BeApproximately(3, 1e-12);
    }

    [Fact]
    public void Median_EvenCount_AveragesMiddles()
    {
        // sorted 1, 2, 3, 10 → (2 + 3) / 2 = 2.5
        Statistics.Median(new double[] { 10, 1, 3, 2 }).Should().Be(2.5);
    }
}
