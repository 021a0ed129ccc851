using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;

namespace Octopus.Consolidation.Tests.Placers;

public sealed class FirstFitPlacerTests
{
    [Fact]
    public void Choose_NewBigVm_SkipsHostsWhoseCoreIsTooSmall()
    {
        // A new 2000-MIPS VM asks its full size: host 0 (G4, 1860 per core) cannot run it; host 1 (G5) is the first fit.
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G4).Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5)
            .Vm(2000, 1740, -1, 0.1).Build();
        new FirstFitPlacer().Choose(new PlacementState(snapshot), 0, new HostSet(3), new StaticThresholdDetector(1)).Host.Should().Be(1);
    }

    [Fact]
    public void Choose_MemoryFull_MovesToNextHost()
    {
        // Enforced memory: host 0 holds 2 × 1740 = 3480 MB; another 1740 MB needs 5220 > 4096 → host 1.
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5)
            .Vm(1000, 1740, 0, 0.1).Vm(1000, 1740, 0, 0.1).Vm(1000, 1740, -1, 0.1).Build();
        new FirstFitPlacer().Choose(new PlacementState(snapshot), 2, new HostSet(2), new StaticThresholdDetector(1)).Host.Should().Be(1);
    }
}
