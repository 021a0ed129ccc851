using Octopus.Consolidation.Model;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Metrics;

public sealed class ReferencePackerTests
{
    [Fact]
    public void ComputeKWh_TwoSmallVms_ShareOneEfficientHostEachInterval()
    {
        // Types by contiguous blocks of 4 VMs over 4 types: VM 0 is 2500 MIPS, VM 1 2000, VM 2 1000, VM 3 500.
        // VMs 2 (1000 MIPS) and 3 (500 MIPS) run flat at 50 %: 500 + 250 = 750 MIPS; VMs 0 and 1 end at once (0, 0).
        // Peaks 500 and 250 fit one G5 (2660 per core, 5320 total): one host at 750 / 5320 = 14.1 % load.
        // G5 watts at 14.1 %: 97 + (101 − 97) · 0.41 = 98.64 W; charged intervals 1→2 … 286→287: 286 × 300 s.
        // 98.64 W × 85,800 s / 3.6e6 = 2.351 kWh.
        var zeros = Enumerable.Repeat(0, 288).ToArray();
        var half = Enumerable.Repeat(50, 288).ToArray();
        var trace = PlanetLabTrace.FromSamples("t", ["a", "b", "c", "d"], [zeros, zeros, half, half]);
        var kwh = ReferencePacker.ComputeKWh(StandardSetup.Build(trace), MemoryMode.Enforced);
        kwh.Should().BeApproximately(98.6391 * 286 * 300 / 3.6e6, 0.001);
        // At scale 3 the same packing three times.
        ReferencePacker.ComputeKWh(StandardSetup.Build(trace, 3), MemoryMode.Enforced, 3).Should().BeApproximately(3 * kwh, 1e-9);
    }
}
