using Octopus.Simulation.Sweep;

namespace Octopus.Simulation.Tests.Sweep;

public sealed class ParetoFrontTests
{
    [Fact]
    public void Of_KeepsOnlyRunsNoOtherBeatsOnAllThree_ByEnergy()
    {
        (double, double, double)[] points =
        [
            (110, 3e-6, 3000), // 0: front (least SLAV among the cheap ones)
            (109, 4e-6, 3500), // 1: front (least energy)
            (111, 3e-6, 3100), // 2: dominated by 0 (more energy, same SLAV, more migrations)
            (115, 1e-6, 2000), // 3: front (least SLAV and migrations)
            (163, 4e-5, 27000), // 4: dominated by every other (LR-MMT-like)
            (110, 3e-6, 3000), // 5: equal to 0: kept too (neither dominates the other)
        ];
        ParetoFront.Of(points).Should().Equal(1, 0, 5, 3);
    }

    [Fact]
    public void Dominates_NeedsBetterOnOneAndNoWorseOnAll()
    {
        ParetoFront.Dominates((1, 1, 1), (1, 1, 1)).Should().BeFalse();
        ParetoFront.Dominates((1, 1, 1), (1, 1, 2)).Should().BeTrue();
        ParetoFront.Dominates((1, 2, 1), (2, 1, 1)).Should().BeFalse();
    }

    [Fact]
    public void Of_NoPoints_EmptyFront() => ParetoFront.Of([]).Should().BeEmpty();
}
