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

    [Theory]
    // Same two light hosts as above, each switched off OFFS times in the last 24 h. Below the daily cap one is drained
    // and switched off; at the cap neither is (each would cycle once more), so nothing moves; cap 0 means no cap.
    [InlineData(5, 6, 1)]
    [InlineData(6, 6, 0)]
    [InlineData(9, 6, 0)]
    [InlineData(9, 0, 1)]
    public void Plan_DailyPowerCycleCap_KeepsAHostThatCycledEnoughOn(int offs, int cap, int drained)
    {
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0, offs).Host(SnapshotBuilder.G5, 0, offs)
            .Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 1, 0.1, Low).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default with { MaxPowerOffsPerDay = cap }).Plan(snapshot);
        plan.Migrations.Should().HaveCount(drained);
        plan.PowerActions.Count(a => a.Target == HostPower.Off).Should().Be(drained);
        // A host kept on by the cap is named with the reason (the live plan's summary shows it); below the cap, none is.
        if (drained == 0)
            plan.Held.Should().HaveCount(2).And.OnlyContain(h => h.Reason.StartsWith("underloaded but kept on", StringComparison.Ordinal)
                && h.Reason.Contains($"switched off {offs} time(s) in the last 24 h", StringComparison.Ordinal)
                && h.Reason.Contains($"octopus.max-cycles = {cap}", StringComparison.Ordinal));
        else
            plan.Held.Should().BeEmpty();
    }

    [Fact]
    public void Plan_EmptyHostAtTheDailyCap_StaysOnIdle()
    {
        // Host 1 is on and empty: normally switched off at once; at the cap it stays on (idle) instead of cycling again.
        // Host 1 is a G4, whose 1860-MIPS cores cannot hold host 0's 2500-MIPS VMs: nothing can be drained into it.
        double[] busy = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
        var built = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G4, 0, 6)
            .Vm(2500, 613, 0, 0.9, busy).Vm(2500, 613, 0, 0.9, busy).Build();
        HostSnapshot[] hosts = [.. built.Hosts];
        hosts[1] = hosts[1] with { Power = HostPower.On };
        var snapshot = new ClusterSnapshot
        {
            HostTypes = built.HostTypes, Hosts = hosts, Vms = built.Vms, History = built.History, Memory = built.Memory, Step = built.Step,
        };
        var capped = new OctopusPolicy(OctopusOptions.Default).Plan(snapshot);
        capped.PowerActions.Should().NotContain(a => a.Host == 1);
        capped.Held.Should().ContainSingle().Which.Should().Be(new HeldHost(1,
            "idle but kept on: it was switched off 6 time(s) in the last 24 h, the daily power-cycle cap (octopus.max-cycles = 6)"));
        var uncapped = new OctopusPolicy(OctopusOptions.Default with { MaxPowerOffsPerDay = 0 }).Plan(snapshot);
        uncapped.PowerActions.Should().ContainSingle(a => a.Host == 1 && a.Target == HostPower.Off,
            string.Join("; ", uncapped.PowerActions.Select(a => a.ToString()).Concat(uncapped.Migrations.Select(m => m.ToString()))));
    }

    [Fact]
    public void Plan_HostPoweredOnRecently_IsNotDrained()
    {
        // Same load, but both hosts came on 2 intervals ago (step 98, now 100): with a dwell time of 6 intervals
        // neither may be emptied, so nothing moves (hysteresis: no on/off flapping). The default dwell is 0.
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 98).Host(SnapshotBuilder.G5, 98)
            .Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 1, 0.1, Low).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default with { MinimumDwellSteps = 6 }).Plan(snapshot);
        plan.Migrations.Should().BeEmpty();
    }

    [Fact]
    public void Plan_ForecastOverload_MovesAVmToAnotherHost()
    {
        // G4 (3720 MIPS, 1860 per core) runs 2000·0.95 + 1000·0.95 + 500·0.9 + 500·1.0 = 3800 MIPS now; with histories
        // at 100 % the forecast is 4000 > 3720. The 2000-MIPS VM also asks 1900 > 1860 of one core, so it goes first,
        // to the G5 (its summed load 250 MIPS + 2000 = 2250, flat history so σ = 0: 2250 ≤ 0.95 · 5320 = 5054).
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

    [Theory]
    // Two G5 hosts, each one VM of 1740 MB at 10 % of 1000 MIPS (100 MIPS on 5320: 1.9 % load, ≈ 93.9 W). Draining one
    // saves ≈ 93.9 W − 0.6 W added on the target ≈ 93.3 W. Migration 1740 / 62.5 = 27.84 s, weight 10 → 278.4 s.
    // horizon 1 (300 s): 300 > 278.4 → drains. horizon 6 (1800 s) and 24 (7200 s): drains. No horizon refuses it.
    [InlineData(1, 1)]
    [InlineData(6, 1)]
    [InlineData(24, 1)]
    public void Plan_DrainValueProportionalToSaving_NoCliffAtShortHorizons(int horizon, int migrations)
    {
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G5, 0)
            .Vm(1000, 1740, 0, 0.1, Low).Vm(1000, 1740, 1, 0.1, Low).Build();
        new OctopusPolicy(OctopusOptions.Default with { HorizonSteps = horizon }).Plan(snapshot).Migrations.Should().HaveCount(migrations);
    }

    [Theory]
    // Same two hosts; weight 20 → 20 · 27.84 = 556.8 s of migration-equivalent: horizon 1 (300 s) refuses, 2 (600 s)
    // drains — the threshold moves smoothly with the weight, it does not depend on the watts.
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Plan_MigrationWeight_SetsTheShortestHorizonThatPays(int horizon, int migrations)
    {
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G5, 0)
            .Vm(1000, 1740, 0, 0.1, Low).Vm(1000, 1740, 1, 0.1, Low).Build();
        new OctopusPolicy(OctopusOptions.Default with { HorizonSteps = horizon, MigrationWeight = 20 }).Plan(snapshot).Migrations.Should().HaveCount(migrations);
    }

    [Fact]
    public void Plan_HostLevelForecast_PacksVmsThatDoNotPeakTogether()
    {
        // Two G4 hosts (3720 MIPS, fill 0.95 → 3534; 1860 per core, so VMs of 1800 MIPS), one VM each:
        // A and B are 1800 MIPS, alternating 0.9 / 0.1 in opposite phase; now A = 0.1, B = 0.9 (180 + 1620 = 1800).
        // Summed history is a flat 1800 → σ = 0, forecast 1800 ≤ 3534: B may join A. Per-VM mean + 1.28σ would
        // give each 900 + 1.28 · 720 = 1822, together 3644 > 3534, and refuse it.
        double[] a = [0.1, 0.9, 0.1, 0.9, 0.1, 0.9];
        double[] b = [0.9, 0.1, 0.9, 0.1, 0.9, 0.1];
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G4, 0).Host(SnapshotBuilder.G4, 0)
            .Vm(1800, 613, 0, 0.1, a).Vm(1800, 613, 1, 0.9, b).Build();
        var plan = new OctopusPolicy(OctopusOptions.Default with { SlaGain = 0 }).Plan(snapshot);
        plan.Migrations.Should().ContainSingle();
        plan.PowerActions.Should().ContainSingle(p => p.Target == HostPower.Off);
    }
}
