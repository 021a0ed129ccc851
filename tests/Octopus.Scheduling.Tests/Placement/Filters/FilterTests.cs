using Octopus.Domain.Hosts;
using Octopus.Scheduling.Placement;
using Octopus.Scheduling.Placement.Filters;
using static Octopus.Scheduling.Tests.Placement.HostBuilder;
using static Octopus.Scheduling.Tests.Placement.Requests;

namespace Octopus.Scheduling.Tests.Placement.Filters;

public class CoresFitFilterTests
{
    [Theory]
    [InlineData(8, 0, 8, null)]     // free = 8 - 0 = 8 >= 8: fits exactly
    [InlineData(8, 6, 2, null)]     // free = 8 - 6 = 2 >= 2
    [InlineData(8, 6, 3, "cores")]  // free = 8 - 6 = 2 < 3
    [InlineData(8, 10, 1, "cores")] // overcommitted: free = 8 - 10 = -2 < 1
    public void Check_FreeCoresAgainstRequest_RejectsOnlyWhenShort(int capacity, int allocated, int asked, string? expected)
    {
        var host = MakeHost("h1").Cores(capacity).Allocated(cores: allocated).Build();
        new CoresFitFilter().Check(Request(asked, "1GiB"), host).Should().Be(expected);
    }

    [Fact]
    public void Explain_Rejection_StatesTheNumbers()
    {
        var host = MakeHost("h1").Cores(8).Allocated(cores: 6).Build();
        new CoresFitFilter().Explain(Request(4, "1GiB"), host, CoresFitFilter.Code)
            .Should().Be(new Rejection("CoresFit", "cores", "needs 4 vCPU, 2 cores free of 8", new ResourceShortfall("cores", "cores", 4, 2, 8)));
    }
}

public class MemoryFitFilterTests
{
    [Theory]
    [InlineData("16GiB", "10GiB", "6GiB", null)]      // free = 16 - 10 = 6 GiB >= 6 GiB
    [InlineData("16GiB", "10GiB", "8GiB", "memory")]  // free = 16 - 10 = 6 GiB < 8 GiB
    [InlineData("16GiB", "0", "17GiB", "memory")]     // bigger than the whole host
    [InlineData("16GiB", "15.5GiB", "512MiB", null)]  // free = 0.5 GiB = 512 MiB
    public void Check_FreeMemoryAgainstRequest_RejectsOnlyWhenShort(string capacity, string allocated, string asked, string? expected)
    {
        var host = MakeHost("h1").Memory(capacity).Allocated(memory: allocated).Build();
        new MemoryFitFilter().Check(Request(1, asked), host).Should().Be(expected);
    }

    [Fact]
    public void Explain_Rejection_StatesTheNumbers()
    {
        var host = MakeHost("h1").Memory("16GiB").Allocated(memory: "10GiB").Build();
        var rejection = new MemoryFitFilter().Explain(Request(1, "8GiB"), host, MemoryFitFilter.Code);
        rejection.Reason.Should().Be("needs 8 GiB memory, 6 GiB free of 16 GiB");
        rejection.Shortfall.Should().Be(new ResourceShortfall("memory", "bytes", 8L << 30, 6L << 30, 16L << 30));
    }

    [Fact]
    public void Explain_OvercommittedHost_ShowsZeroFreeNotNegative()
    {
        var host = MakeHost("h1").Memory("16GiB").Allocated(memory: "20GiB").Build();
        var rejection = new MemoryFitFilter().Explain(Request(1, "1GiB"), host, MemoryFitFilter.Code);
        rejection.Reason.Should().Be("needs 1 GiB memory, 0 B free of 16 GiB");
        rejection.Shortfall!.Free.Should().Be(0, "the numbers, like the words, never show a negative free amount");
    }
}

public class DiskFitFilterTests
{
    [Theory]
    [InlineData("100GiB", "80GiB", "20GiB", null)]  // free = 100 - 80 = 20 GiB >= 20 GiB
    [InlineData("100GiB", "80GiB", "21GiB", "disk")] // free = 20 GiB < 21 GiB
    public void Check_FreeDiskAgainstRequest_RejectsOnlyWhenShort(string capacity, string allocated, string asked, string? expected)
    {
        var host = MakeHost("h1").Disk(capacity).Allocated(disk: allocated).Build();
        new DiskFitFilter().Check(Request(1, "1GiB", asked), host).Should().Be(expected);
    }

    [Fact]
    public void Explain_Rejection_StatesTheNumbers()
    {
        var host = MakeHost("h1").Disk("100GiB").Allocated(disk: "90GiB").Build();
        var rejection = new DiskFitFilter().Explain(Request(1, "1GiB", "20GiB"), host, DiskFitFilter.Code);
        rejection.Reason.Should().Be("needs 20 GiB disk, 10 GiB free of 100 GiB");
        rejection.Shortfall.Should().Be(new ResourceShortfall("disk", "bytes", 20L << 30, 10L << 30, 100L << 30));
    }
}

public class HostOnFilterTests
{
    [Theory]
    [InlineData(HostPowerState.On, null)]
    [InlineData(HostPowerState.Off, "off")]
    [InlineData(HostPowerState.PoweringOn, "powering-on")]
    [InlineData(HostPowerState.PoweringOff, "powering-off")]
    [InlineData(HostPowerState.Failed, "failed")]
    public void Check_PowerState_OnlyOnPasses(HostPowerState state, string? expected) =>
        new HostOnFilter().Check(Request(1, "1GiB"), MakeHost("h1").Power(state)).Should().Be(expected);

    [Theory]
    [InlineData("off", 1, "1 is off")]
    [InlineData("off", 3, "3 are off")]
    [InlineData("failed", 2, "2 have failed")]
    public void Summarize_Count_ReadsAsEnglish(string code, int hosts, string expected) =>
        new HostOnFilter().Summarize(code, hosts).Should().Be(expected);

    [Fact]
    public void IsStatic_PowerNeverChangesWithReservations_IsTrue() => new HostOnFilter().IsStatic.Should().BeTrue();
}

public class MaintenanceFilterTests
{
    [Fact]
    public void Check_HostInMaintenance_IsRejected() =>
        new MaintenanceFilter().Check(Request(1, "1GiB"), MakeHost("h1").InMaintenance()).Should().Be("maintenance");

    [Fact]
    public void Check_HostNotInMaintenance_Passes() =>
        new MaintenanceFilter().Check(Request(1, "1GiB"), MakeHost("h1")).Should().BeNull();

    [Fact]
    public void Check_OffHostInMaintenance_StillRejectedForMaintenance() =>
        new MaintenanceFilter().Check(Request(1, "1GiB"), MakeHost("h1").Off().InMaintenance()).Should().Be("maintenance");
}
