using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Horizon;

public sealed class OctopusPolicyTests
{
    private static readonly double[] Low = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

    [Fact]
    public void Plan_TwoLightHostsLongOn_EmptiesOneAndSwitchesItOff()
    {
        // Both G5 hosts carry one 1000-MIPS VM at 10 % (forecast 100 MIPS each); the drain saves ~97 W over the horizon,
        // far more than one migration's cost, so one host is emptied into the other and powered off.
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G5, 0)
            .Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 1, 0.1, Low).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default).Plan(snapshot);
        plan.Migrations.Should().ContainSingle();
        plan.PowerActions.Should().ContainSingle(a => a.Target == HostPower.Off && a.Reason == PlanReason.HostEmpty);
    }

    [Fact]
    public void Plan_HostPoweredOnRecently_IsNotDrained()
    {
        // Same load, but both hosts came on 2 intervals ago (step 98, now 100): within the dwell time (6 intervals)
        // neither may be emptied, so nothing moves (hysteresis: no on/off flapping).
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 98).Host(SnapshotBuilder.G5, 98)
            .Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 1, 0.1, Low).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default).Plan(snapshot);
        plan.Migrations.Should().BeEmpty();
    }

    [Fact]
    public void Plan_ForecastOverload_MovesAVmToAnotherHost()
    {
        // G4 (3720 MIPS, 1860 per core) runs 2000·0.95 + 1000·0.95 + 500·0.9 + 500·1.0 = 3800 MIPS now; with histories
        // at 100 % the forecast is 4000 > 3720. The 2000-MIPS VM also asks 1900 > 1860 of one core, so it goes first,
        // to the G5 (forecast 500 + 2000 = 2500 ≤ 0.92 · 5320 = 4894).
        double[] full = [1, 1, 1, 1, 1, 1];
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G4, 0).Host(SnapshotBuilder.G5, 0)
            .Vm(2000, 870, 0, 0.95, full).Vm(1000, 870, 0, 0.95, full).Vm(500, 613, 0, 0.9, full).Vm(500, 613, 0, 1.0, full)
            .Vm(500, 613, 1, 0.5, full).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default).Plan(snapshot);
        plan.Migrations.Should().Contain(m => m.From == 0 && m.To == 1 && m.Reason == PlanReason.HostOverloaded);
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWithTheField()
    {
        var act = () => new OctopusPolicy(OctopusOptions.Default with { FillTarget = 0.2 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FillTarget*");
    }
}
