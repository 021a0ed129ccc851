using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Scheduling.Placement;
using static Octopus.Scheduling.Tests.Placement.HostBuilder;
using static Octopus.Scheduling.Tests.Placement.Requests;

namespace Octopus.Scheduling.Tests.Placement;

public class PlacementStateTests
{
    [Fact]
    public void Reserve_AddsTheRequestToTheHostsAllocation()
    {
        var state = PlacementState.From([MakeHost("h1").Allocated(cores: 2, memory: "4GiB", disk: "10GiB", vms: 1)]);

        state.Reserve(IdFor("h1"), Request(2, "2GiB", "20GiB"));

        // 2 + 2 = 4 cores, 4 + 2 = 6 GiB, 10 + 20 = 30 GiB, 1 + 1 = 2 VMs
        state.Hosts[0].Allocated.Should().Be(new HostAllocation(4, ByteSize.Parse("6GiB"), ByteSize.Parse("30GiB"), 2));
        state.Hosts[0].FreeMemory.Should().Be(ByteSize.Parse("10GiB"));
    }

    [Fact]
    public void Unreserve_AfterReserve_RestoresTheExactView()
    {
        var original = MakeHost("h1").Allocated(cores: 1, memory: "1GiB", disk: "1GiB").Build();
        var state = PlacementState.From([original]);
        var request = Request(3, "3GiB", "30GiB");

        state.Reserve(original.Id, request);
        state.Unreserve(original.Id, request);

        state.Hosts[0].Should().Be(original);
    }

    [Fact]
    public void Unreserve_MoreThanHeld_ThrowsAndLeavesTheHostAlone()
    {
        var host = MakeHost("h1").Allocated(cores: 1, memory: "1GiB").Build();
        var state = PlacementState.From([host]);

        var act = () => state.Unreserve(host.Id, Request(1, "2GiB"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*cannot unreserve*'h1'*Unreserve only what was reserved*");
        state.Hosts[0].Should().Be(host);
    }

    [Fact]
    public void Reserve_UnknownHost_ThrowsNamingIt()
    {
        var state = PlacementState.From([MakeHost("h1")]);

        var act = () => state.Reserve(IdFor("nope"), Request(1, "1GiB"));

        act.Should().Throw<ArgumentException>().WithMessage("*is not in this placement state*");
    }

    [Fact]
    public void From_SameHostTwice_Throws()
    {
        var act = () => PlacementState.From([MakeHost("h1"), MakeHost("h1")]);

        act.Should().Throw<ArgumentException>().WithMessage("*'h1') appears twice*");
    }

    [Fact]
    public void Find_KnownAndUnknownHosts()
    {
        var state = PlacementState.From([MakeHost("h1")]);

        state.Find(IdFor("h1"))!.Name.Should().Be("h1");
        state.Find(IdFor("h2")).Should().BeNull();
    }

    [Fact]
    public void Reserve_AfterFastPathBuiltItsIndex_MovesTheHostInTheIndex()
    {
        // Spread prefers the most free memory: a (16 GiB) first; after a 12 GiB reservation a has 4, so b (8) wins.
        var placer = Placer.Create(new PlacementOptions { Strategy = PlacementStrategy.Spread });
        var state = PlacementState.From([MakeHost("a").Memory("16GiB"), MakeHost("b").Memory("8GiB")]);
        placer.Place(Request(1, "1GiB"), state, explain: false).ChosenHostName.Should().Be("a");

        state.Reserve(IdFor("a"), Request(1, "12GiB"));
        placer.Place(Request(1, "1GiB"), state, explain: false).ChosenHostName.Should().Be("b");

        state.Unreserve(IdFor("a"), Request(1, "12GiB"));
        placer.Place(Request(1, "1GiB"), state, explain: false).ChosenHostName.Should().Be("a");
    }
}

public class PlacementRequestTests
{
    [Theory]
    [InlineData(0, 1L << 30, 0L, "cores")]
    [InlineData(1, 0L, 0L, "memoryBytes")]
    [InlineData(1, 1L << 30, -1L, "diskBytes")]
    public void Validate_Nonsense_NamesTheField(int cores, long memory, long disk, string field) =>
        FluentActions.Invoking(() => new PlacementRequest("web-1", cores, new ByteSize(memory), new ByteSize(disk)).Validate())
            .Should().Throw<Octopus.Domain.DomainException>().Which.Field.Should().Be(field);

    [Fact]
    public void Describe_ReadsAsAmounts() =>
        Request(4, "8GiB", "20GiB").Describe().Should().Be("4 vCPU, 8 GiB memory, 20 GiB disk");
}

public class HostViewTests
{
    [Fact]
    public void Of_DomainHost_CopiesItsFieldsAndTheGivenAllocation()
    {
        var capacity = HostCapacity.Create(16, new Mips(2000), ByteSize.Parse("64GiB"), ByteSize.Parse("1TiB"));
        var host = Host.Create("sim-01", capacity, PowerModel.HpProLiantMl110G5, DateTimeOffset.UnixEpoch);
        host.SetMaintenance(true);
        var allocation = new HostAllocation(4, ByteSize.Parse("8GiB"), ByteSize.Parse("100GiB"), 2);

        var view = HostView.Of(host, allocation);

        view.Should().Be(new HostView(host.Id, "sim-01", capacity, allocation, HostPowerState.On, true, CpuLoad.Idle));
        view.FreeCores.Should().Be(12);                           // 16 - 4
        view.FreeMemory.Should().Be(ByteSize.Parse("56GiB"));     // 64 - 8
        view.FreeDisk.Should().Be(ByteSize.Parse("924GiB"));      // 1024 - 100
    }
}
