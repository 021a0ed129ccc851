using Octopus.Simulation.Setup;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Setup;

public sealed class StandardSetupTests
{
    private static PlanetLabTrace Trace(int vms) => PlanetLabTrace.FromSamples("t",
        [.. Enumerable.Range(0, vms).Select(i => $"vm{i}")], [.. Enumerable.Range(0, vms).Select(_ => new int[4])]);

    [Fact]
    public void Build_TenVms_AssignsTypesInContiguousBlocks()
    {
        // block = ceil(10 / 4) = 3 → types 0,0,0,1,1,1,2,2,2,3 → MIPS 2500×3, 2000×3, 1000×3, 500
        var w = StandardSetup.Build(Trace(10));
        w.Vms.Select(v => v.Mips).Should().Equal(2500, 2500, 2500, 2000, 2000, 2000, 1000, 1000, 1000, 500);
        w.HostCount.Should().Be(800);
        w.HostTypeOf.Take(4).Should().Equal(0, 1, 0, 1);
    }

    [Fact]
    public void Build_Scale3_ReplicatesHostsAndVmsSharingTraceRows()
    {
        var w = StandardSetup.Build(Trace(4), scale: 3);
        w.HostCount.Should().Be(2400);
        w.Vms.Should().HaveCount(12);
        w.Vms.Select(v => v.TraceRow).Should().Equal(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3);
    }
}
