using Octopus.Consolidation.Model;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Metrics;

public sealed class EnergyLowerBoundTests
{
    [Fact]
    public void Compute_OneVmHalfLoaded_MatchesHandArithmetic()
    {
        // One 2500-MIPS VM at 50 % for 4 samples: D = 1250 MIPS.
        // all VMs, 4 intervals: 4 · 1250 · 135 / 5320 W · 300 s = 38,063.9 J
        // simulated day charges intervals 1→2 and 2→3 only: 2 · 1250 · 135 / 5320 · 300 J
        // tight: one G5 at 1250 / 5320 = 23.5 %; the G5 curve's convex envelope passes (0, 93.7), (10 %, 97),
        // (20 %, 101), (30 %, 105) … so h(1250) = 101 + 4 · 0.3496 = 102.398 W → 2 · 102.398 · 300 J
        var trace = PlanetLabTrace.FromSamples("t", ["a"], [[50, 50, 50, 50]]);
        var bound = EnergyLowerBound.Compute(StandardSetup.Build(trace), MemoryMode.CloudSim);
        bound.AllVmsKWh.Should().BeApproximately(4 * 1250 * 135 / 5320.0 * 300 / 3.6e6, 1e-9);
        bound.SimpleKWh.Should().BeApproximately(2 * 1250 * 135 / 5320.0 * 300 / 3.6e6, 1e-9);
        bound.TightKWh.Should().BeApproximately(2 * (101 + (4 * ((1250 / 532.0) - 2))) * 300 / 3.6e6, 1e-9);
    }

    [Fact]
    public void Compute_VmEndsAtZeroPair_StopsCountingIt()
    {
        // Samples 50, 50, 0, 0: CloudSim ends the VM at interval 2 (samples 2 and 3 both 0); the simulated day charges
        // interval 1→2 with demand falling linearly 1250 → 0, i.e. 625 MIPS on average.
        var trace = PlanetLabTrace.FromSamples("t", ["a"], [[50, 50, 0, 0]]);
        CloudSimWorkloadRules.FinishStep(trace, 0).Should().Be(2);
        var bound = EnergyLowerBound.Compute(StandardSetup.Build(trace), MemoryMode.CloudSim);
        bound.SimpleKWh.Should().BeApproximately(625 * 135 / 5320.0 * 300 / 3.6e6, 1e-9);
    }

    [Fact]
    public void Compute_MemoryEnforced_NeedsEnoughHostsForRam()
    {
        // Three 1740-MB VMs at 10 % of 2000 (600 MIPS total): one host by CPU, but ⌈5220 / 4096⌉ = 2 hosts by memory.
        // Two G5 at 300 MIPS each (5.6 %): 2 · (93.7 + 3.3 · 0.564) = 2 · 95.56 W per interval > one host's 95.56 W.
        var trace = PlanetLabTrace.FromSamples("t", ["a", "b", "c", "d", "e"], [[10, 10, 10], [10, 10, 10], [10, 10, 10], [0, 5, 5], [0, 5, 5]]);
        var w = StandardSetup.Build(trace);
        var cloudsim = EnergyLowerBound.Compute(w, MemoryMode.CloudSim);
        var enforced = EnergyLowerBound.Compute(w, MemoryMode.Enforced);
        enforced.TightKWh.Should().BeGreaterThan(cloudsim.TightKWh);
    }
}
