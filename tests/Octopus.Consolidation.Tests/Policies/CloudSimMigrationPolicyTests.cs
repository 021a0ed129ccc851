using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;

namespace Octopus.Consolidation.Tests.Policies;

public sealed class CloudSimMigrationPolicyTests
{
    private static IConsolidationPolicy Thr08()
    {
        PolicyCatalog.TryCreate("thr-mmt-0.8", out var p, out _).Should().BeTrue();
        return p!;
    }

    [Fact]
    public void Plan_OverloadedHost_MovesSmallestMemoryVmOff()
    {
        // host 0 (G5): 0.9·2500 + 0.9·2000 = 4050 / 5320 = 0.76; + 0.5·1000 = 500 → 4550 / 5320 = 0.855 > 0.8.
        // MMT picks the 613 MB VM first? The VMs are 870, 1740, 613 MB → VM 2 (613 MB, 500 MIPS) leaves:
        // (4550 − 500) / 5320 = 0.761 ≤ 0.8 → one migration, to another host (host 1 is a loaded G5).
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5)
            .Vm(2500, 870, 0, 0.9).Vm(2000, 1740, 0, 0.9).Vm(1000, 613, 0, 0.5).Vm(2500, 870, 1, 0.5).Build();
        var plan = Thr08().Plan(snapshot);
        plan.Migrations.Should().ContainSingle(m => m.Reason == PlanReason.HostOverloaded)
            .Which.Should().Match<VmMigration>(m => m.Vm == 2 && m.From == 0 && m.To == 1);
    }

    [Fact]
    public void Plan_UnderloadedHost_IsEmptiedAndSwitchedOff()
    {
        // host 0: 0.2·1000 = 200 MIPS (3.8 %), host 1: 0.5·2500 = 1250 (23.5 %). The least loaded (host 0) is emptied
        // into host 1 ((1250 + 200) / 5320 = 0.27 ≤ 0.8); host 1 is then a target and not emptied itself.
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5)
            .Vm(1000, 613, 0, 0.2).Vm(2500, 870, 1, 0.5).Build();
        var plan = Thr08().Plan(snapshot);
        plan.Migrations.Should().ContainSingle().Which.Should().Match<VmMigration>(m => m.Vm == 0 && m.To == 1 && m.Reason == PlanReason.HostUnderloaded);
        plan.PowerActions.Should().ContainSingle().Which.Should().Match<HostPowerAction>(a => a.Host == 0 && a.Target == HostPower.Off);
    }

    [Fact]
    public void Plan_NewVms_ArePlacedOnIdleHostsOfTheCheaperType()
    {
        // A 500-MIPS VM at full size: G4 empty 500 / 3720 = 13.4 % → 89.4 + 3.2·0.344 − 86 = 4.50 W;
        // G5 empty 500 / 5320 = 9.4 % → 93.7 + 3.3·0.940 − 93.7 = 3.10 W → the first G5 (host 1).
        var snapshot = new SnapshotBuilder().Host(SnapshotBuilder.G4).Host(SnapshotBuilder.G5).Host(SnapshotBuilder.G5)
            .Vm(500, 613, -1, 0.1).Build();
        var plan = Thr08().Plan(snapshot);
        plan.Placements.Should().ContainSingle().Which.Host.Should().Be(1);
    }

    [Fact]
    public void TryCreate_UnknownName_SaysWhatIsValid()
    {
        PolicyCatalog.TryCreate("best", out var p, out var error).Should().BeFalse();
        p.Should().BeNull();
        error.Should().Contain("lr-mmt-1.2").And.Contain("octopus");
    }
}
