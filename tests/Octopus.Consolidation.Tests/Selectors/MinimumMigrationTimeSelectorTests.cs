using Octopus.Consolidation.Model;
using Octopus.Consolidation.Selectors;

namespace Octopus.Consolidation.Tests.Selectors;

public sealed class MinimumMigrationTimeSelectorTests
{
    [Fact]
    public void Select_PicksLeastMemory()
    {
        // RAM 1740, 613, 870 → 613 MB migrates fastest (613 / 62.5 = 9.8 s)
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5)
            .Vm(2000, 1740, 0, 0.5).Vm(500, 613, 0, 0.5).Vm(2500, 870, 0, 0.5).Build();
        new MinimumMigrationTimeSelector().Select(new PlacementState(snapshot), 0).Should().Be(1);
    }

    [Fact]
    public void Select_Tie_PicksEarliestArrival()
    {
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5)
            .Vm(2000, 870, 0, 0.5).Vm(500, 870, 0, 0.5).Build();
        new MinimumMigrationTimeSelector().Select(new PlacementState(snapshot), 0).Should().Be(0);
    }

    [Fact]
    public void Select_EmptyHost_ReturnsNone()
    {
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Build();
        new MinimumMigrationTimeSelector().Select(new PlacementState(snapshot), 0).Should().Be(-1);
    }
}
