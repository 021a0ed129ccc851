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
        // One 2500-MIPS VM at 50 % for 3 intervals: D = 1250 MIPS.
        // simple = 3 · 1250 · 135 / 5320 W · 300 s = 28,548.9 J = 0.0079303 kWh
        // tight: one G5 at 1250 / 5320 = 23.5 %; the convex envelope of the G5 curve passes (0, 93.7), (10 %, 97),
        // (20 %, 101) … so h(1250) = 101 + 4 · 0.3496 = 102.398 W → 3 · 102.398 · 300 / 3.6e6 = 0.0255996 kWh
        var trace = PlanetLabTrace.FromSamples("t", ["a"], [[50, 50, 50]]);
        var bound = EnergyLowerBound.Compute(StandardSetup.Build(trace), MemoryMode.CloudSim);
        bound.SimpleKWh.Should().BeApproximately(3 * 1250 * 135 / 5320.0 * 300 / 3.6e6, 1e-9);
        bound.TightKWh.Should().BeApproximately(3 * (101 + (4 * (1250 / 532.0 - 2))) * 300 / 3.6e6, 1e-6);
    }
}
