using System.Globalization;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Engine;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Engine;

/// <summary>Pins every figure of a small seeded day for the policies whose speed is tuned (issue 16), to the last bit:
/// a speed-up must not change what the simulator decides or measures. If a change is meant to alter results, the
/// figures here are re-pinned in the same commit and the reason stated there.</summary>
public sealed class PinnedResultsTests
{
    /// <summary>A seeded random-walk day: 150 trace rows × 288 samples, some VMs ending (two zero samples), each row
    /// driving two VMs (so exact ties between copies occur, as at --scale K), on 160 hosts alternating G4/G5.</summary>
    private static Workload SeededDay()
    {
        var rng = new Random(16);
        const int rows = 150;
        const int steps = 288;
        var samples = new List<int[]>();
        for (var r = 0; r < rows; r++)
        {
            var s = new int[steps];
            var level = rng.Next(5, 90);
            var end = rng.NextDouble() < 0.3 ? rng.Next(40, steps - 2) : -1;
            for (var t = 0; t < steps; t++)
            {
                level = Math.Clamp(level + rng.Next(-12, 13), 1, 99);
                s[t] = end >= 0 && t >= end ? 0 : level;
            }
            samples.Add(s);
        }
        var trace = PlanetLabTrace.FromSamples("seeded", [.. Enumerable.Range(0, rows).Select(i => $"vm{i:000}")], samples);
        var vms = StandardSetup.Build(trace, scale: 2).Vms;
        return new Workload([HostType.HpProLiantMl110G4, HostType.HpProLiantMl110G5], [.. Enumerable.Range(0, 160).Select(h => h % 2)], vms, trace);
    }

    private static string Figures(SimulationResult r) => string.Join(' ',
        r.EnergyKWh.ToString("R", CultureInfo.InvariantCulture),
        r.Slatah.ToString("R", CultureInfo.InvariantCulture),
        r.Pdm.ToString("R", CultureInfo.InvariantCulture),
        r.Migrations, r.HostShutdowns, r.UnplacedVms, r.FinishedVms, r.MaxHostPowerOffs,
        r.ActiveHosts.Sum(),
        r.PowerWatts.Sum().ToString("R", CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("octopus", MemoryMode.CloudSim, "118.3969078655347 0.011944375711579152 0.00019726862770860234 1841 239 0 98 6 11220 1455575.5771926108")]
    [InlineData("octopus", MemoryMode.Enforced, "210.80188833342598 0.004197740859882184 1.693390739092944E-05 183 50 0 98 2 23204 2551539.6099519557")]
    [InlineData("lr-mmt-1.2", MemoryMode.CloudSim, "143.3690794432023 0.026731292614113597 0.0005452412027450356 7575 2052 0 98 60 16173 1924398.8318417221")]
    [InlineData("lr-mmt-1.2", MemoryMode.Enforced, "230.26989007981197 0.005530381837830109 2.1990453398502957E-05 528 191 0 98 13 26255 2802887.889210183")]
    [InlineData("thr-mmt-0.8", MemoryMode.CloudSim, "153.19322828354007 0.032114788125804615 0.0008024185265953098 11669 3043 0 98 66 18341 2132339.046612802")]
    public void Run_SeededDay_GivesThePinnedFigures(string policy, MemoryMode memory, string expected)
    {
        PolicyCatalog.TryCreate(policy, out var p, out _).Should().BeTrue();
        var r = Simulator.Run(SeededDay(), p!, memory, TestContext.Current.CancellationToken);
        r.Migrations.Should().BePositive("the day must exercise consolidation");
        Figures(r).Should().Be(expected, "energy, SLATAH, PDM, migrations, shutdowns, unplaced, finished, max power-offs, host-intervals and power sum are pinned");
    }
}
