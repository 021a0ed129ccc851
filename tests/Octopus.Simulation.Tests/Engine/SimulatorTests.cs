using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Engine;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Engine;

public sealed class SimulatorTests
{
    private static IConsolidationPolicy Policy(string name)
    {
        PolicyCatalog.TryCreate(name, out var p, out _).Should().BeTrue();
        return p!;
    }

    private static Workload Small(int[] percent)
    {
        // 2 hosts: host 0 G4, host 1 G5; one 2500-MIPS VM (type 0), which only a G5 core can hold at full size.
        var trace = PlanetLabTrace.FromSamples("t", ["a"], [percent]);
        HostType[] types = [HostType.HpProLiantMl110G4, HostType.HpProLiantMl110G5];
        return new Workload(types, [0, 1], [new VmSpec(2500, 870, 100, 0)], trace);
    }

    [Fact]
    public void Run_Npa_ChargesEveryHostFullPowerForEachProcessedInterval()
    {
        // (117 + 135) W · 300 s · (4 − 1) intervals = 226,800 J = 0.063 kWh
        var r = Simulator.Run(Small([50, 50, 50, 50]), Policy("npa"), MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        r.EnergyKWh.Should().BeApproximately(0.063, 1e-9);
    }

    [Fact]
    public void Run_Dvfs_IntegratesLoadOnTheOneBusyHost()
    {
        // The VM sits on the G5 (host 1) at 50 % of 2500 = 1250 MIPS = 23.5 % → 101 + 4 · 0.3496 = 102.398 W.
        // CloudSim counts no energy for the first interval; with 4 samples the processed intervals are 1→2 and 2→3:
        // 2 · 300 s · 102.398 W = 61,438.8 J = 0.0170663 kWh. The G4 never runs anything and draws nothing.
        var r = Simulator.Run(Small([50, 50, 50, 50]), Policy("dvfs"), MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        r.EnergyKWh.Should().BeApproximately(2 * 300 * (101 + (4 * ((1250 / 5320.0 * 10) - 2))) / 3.6e6, 1e-9);
        r.Migrations.Should().Be(0);
        r.Slatah.Should().Be(0);
    }

    [Fact]
    public void Run_VmWhoseUseDropsToZero_FinishesAndItsHostGoesOff()
    {
        // Samples 50, 0, 0, 0: at interval 1 the request is exactly 0 → CloudSim ends the VM; nothing draws power.
        var r = Simulator.Run(Small([50, 0, 0, 0]), Policy("dvfs"), MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        r.FinishedVms.Should().Be(1);
        r.EnergyKWh.Should().Be(0);
    }

    [Fact]
    public void Run_Lr_OnSmallSyntheticDay_ProducesConsistentMetrics()
    {
        var rng = new Random(7);
        var rows = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 30).Select(_ => rng.Next(5, 100)).ToArray()).ToList();
        var trace = PlanetLabTrace.FromSamples("synthetic", [.. Enumerable.Range(0, 40).Select(i => $"vm{i:00}")], rows);
        var workload = new Workload([HostType.HpProLiantMl110G4, HostType.HpProLiantMl110G5],
            [.. Enumerable.Range(0, 40).Select(h => h % 2)], StandardSetup.Build(trace).Vms, trace);
        var r = Simulator.Run(workload, Policy("lr-mmt-1.2"), MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        r.EnergyKWh.Should().BePositive();
        r.Migrations.Should().BePositive();
        r.Slatah.Should().BeInRange(0, 1);
        r.Pdm.Should().BeInRange(0, 1);
        r.ActiveHosts.Should().HaveCount(30).And.OnlyContain(n => n >= 0 && n <= 40);
    }

    [Fact]
    public void Run_CountsEachHostsSwitchOffs_AndTellsThePolicyTheLastDaysCount()
    {
        // The VM lives on the G5 (host 1); the policy switches the idle G4 (host 0) on at odd intervals and off at even
        // ones: over 10 samples it goes off at intervals 2, 4, 6 and 8.
        var policy = new FlappingPolicy();
        var r = Simulator.Run(Small([50, 50, 50, 50, 50, 50, 50, 50, 50, 50]), policy, MemoryMode.CloudSim, TestContext.Current.CancellationToken);
        r.MaxHostPowerOffs.Should().Be(4);
        // What the policy saw for host 0 before deciding at intervals 1..9 (the day's window holds them all).
        policy.SeenOffs.Should().Equal(0, 0, 1, 1, 2, 2, 3, 3, 4);
    }

    /// <summary>Test policy: puts every VM on host 1, then toggles host 0 every interval.</summary>
    private sealed class FlappingPolicy : IConsolidationPolicy
    {
        public List<int> SeenOffs { get; } = [];
        public string Name => "flapping";
        public PowerManagement PowerManagement => PowerManagement.LoadProportional;

        public ConsolidationPlan Plan(ClusterSnapshot snapshot)
        {
            if (snapshot.Step == 0)
                return new([.. snapshot.Vms.Select((_, v) => new VmPlacement(v, 1, PlanReason.InitialPlacement, default))], [], [], []);
            SeenOffs.Add(snapshot.Hosts[0].PowerOffsInLastDay);
            var target = snapshot.Step % 2 == 1 ? HostPower.On : HostPower.Off;
            return new([], [], [new HostPowerAction(0, target, PlanReason.HostEmpty, default)], []);
        }
    }
}
