using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;

namespace Octopus.Consolidation.Tests.Placers;

public sealed class PowerAwareBestFitPlacerTests
{
    private static readonly IOverloadDetector Thr08 = new StaticThresholdDetector(0.8);

    [Fact]
    public void Choose_PrefersLoadedHostWithSmallerPowerIncrease()
    {
        // VM to place: 0.5 × 1000 = 500 MIPS.
        // host 0 (G5, 2000 MIPS used = 37.6 %): 2500 / 5320 = 47.0 % → 110 + 6·0.70 = 114.23 W vs 105 + 5·0.76 = 108.80 W: +5.43 W
        // host 1 (G5, empty): 500 / 5320 = 9.4 % → 93.7 + 3.3·0.94 = 96.80 W vs 93.7 W idle: +3.10 W  ← smaller
        // So an idle G5 wins over loading the busy one (CloudSim compares against the observed draw).
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G4)
            .Vm(2000, 1740, 0, 1.0).Vm(1000, 613, 2, 0.5).Build();
        var state = new PlacementState(snapshot);
        var choice = new PowerAwareBestFitPlacer().Choose(state, 1, new HostSet(3), Thr08);
        choice.Host.Should().Be(1);
        choice.PowerIncrease.Should().BeApproximately(3.10, 0.01);
    }

    [Fact]
    public void Choose_SkipsExcludedAndWouldBeOverloadedHosts()
    {
        // VM to place (on host 3, excluded): 0.9 × 2000 = 1800 MIPS.
        // host 0 (G5): excluded.
        // host 1 (G5, 2250 + 1000 = 3250 used, 61.1 %): fits (2070 free) and would add only
        //   P(5050 / 5320 = 94.9 %) − P(61.1 %) = (133 + 2·0.49) − (121 + 4·0.11) = 133.98 − 121.44 = 12.54 W,
        //   but 94.9 % > 0.8 → skipped by the overload check.
        // host 2 (G4, empty): P(1800 / 3720 = 48.4 %) − 86 = (99.5 + 2.5·0.839) − 86 = 15.60 W → chosen.
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G4).Host(SnapshotBuilder.G4)
            .Vm(2500, 870, 0, 0.8).Vm(2500, 870, 1, 0.9).Vm(2000, 870, 1, 0.5).Vm(2000, 1740, 3, 0.9).Build();
        var state = new PlacementState(snapshot);
        var excluded = new HostSet(4);
        excluded.Add(0);
        excluded.Add(3);
        var choice = new PowerAwareBestFitPlacer().Choose(state, 3, excluded, Thr08);
        choice.Host.Should().Be(2);
        choice.PowerIncrease.Should().BeApproximately(15.60, 0.01);
    }

    [Fact]
    public void Choose_NothingFits_ReturnsNotFound()
    {
        // 2500-MIPS VM at full size (being created) cannot fit a G4 core (1860) and the only G5 is excluded.
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G4).Host(SnapshotBuilder.G5).Vm(2500, 870, -1, 1.0).Build();
        var excluded = new HostSet(2);
        excluded.Add(1);
        new PowerAwareBestFitPlacer().Choose(new PlacementState(snapshot), 0, excluded, Thr08).Found.Should().BeFalse();
    }
}
