using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Engine;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Engine;

public sealed class MigrationAccountingTests
{
    /// <summary>Places VM 0 on host 0, then at interval 1 moves it to host 1 and switches host 0 off.</summary>
    private sealed class MoveOncePolicy : IConsolidationPolicy
    {
        public string Name => "move-once";
        public PowerManagement PowerManagement => PowerManagement.LoadProportional;

        public ConsolidationPlan Plan(ClusterSnapshot snapshot) => snapshot.Step switch
        {
            0 => new ConsolidationPlan([new VmPlacement(0, 0, PlanReason.InitialPlacement, default)], [], [], []),
            1 => new ConsolidationPlan([], [new VmMigration(0, 0, 1, PlanReason.HostUnderloaded, default)],
                [new HostPowerAction(0, HostPower.Off, PlanReason.HostEmpty, default)], []),
            _ => ConsolidationPlan.Empty,
        };
    }

    [Fact]
    public void Run_OneMigration_ChargesBothHostsWhileItRunsAndCountsItsCost()
    {
        // Two G5 hosts; one 2500-MIPS, 870-MB VM flat at 40 % = 1000 MIPS; migration takes 870 / 62.5 = 13.92 s.
        // Interval 1 (0 → 300 s after the decision):
        //   0 → 13.92 s: source at 1000 / 5320 = 18.80 % → 97 + 4 · 0.8797 = 100.519 W; destination carries 10 % of it
        //     as 111.1 MIPS (1000 · 0.1 / 0.9) = 2.09 % → 93.7 + 3.3 · 0.20885 = 94.389 W.
        //   13.92 → 300 s: destination at 100.519 W, source unloaded (off).
        // Interval 2: destination 100.519 W · 300 s. Interval 3 is the last (nothing charged after its decision).
        // Energy = 100.519 · (13.92 + 286.08 + 300) + 94.389 · 13.92 = 61,625.3 J.
        // SLATAH: active 2 · 13.92 + 286.08 + 300 = 613.92 s; the destination gets less than it is asked for during the
        //   migration (111.1 < 1000 MIPS) → 13.92 s → 0.022674.
        // PDM: 0.1 · 1000 MIPS · 13.92 s = 1392 lost / 1000 MIPS · 600 s requested = 0.00232.
        var trace = PlanetLabTrace.FromSamples("t", ["a"], [[40, 40, 40, 40]]);
        var workload = new Workload([HostType.HpProLiantMl110G5], [0, 0], [new VmSpec(2500, 870, 100, 0)], trace);
        var r = Simulator.Run(workload, new MoveOncePolicy(), MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        double p = 97 + (4 * ((1000 / 532.0) - 1)), pIn = 93.7 + (3.3 * (1000 / 9.0 / 532.0));
        r.EnergyKWh.Should().BeApproximately(((p * 600) + (pIn * 13.92)) / 3.6e6, 1e-9);
        r.Migrations.Should().Be(1);
        r.HostShutdowns.Should().Be(1);
        r.Slatah.Should().BeApproximately(13.92 / 613.92, 1e-9);
        r.Pdm.Should().BeApproximately(1392 / 600_000.0, 1e-9);
        r.ActiveHosts.Should().Equal(1, 2, 1, 1);
    }
}
