using Octopus.Contracts;
using Octopus.Server.Web;

namespace Octopus.Server.Tests.Web;

/// <summary>What the web UI's live feed sends for a VM read again: any change but CPU at once; a CPU move of five points or
/// more at once; a smaller CPU move (a whole percent or more) only once ten seconds have passed since the VM was last sent;
/// a wobble under a percent never.</summary>
public sealed class VmChangeFeedTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static VmDto Vm(string state = "Running", double cpu = 0.30) =>
        new("0192", "web", "alice", state, "Running", "h1", 2, 1L << 30, 4L << 30, "debian-12", null, T0, T0, T0, null, [], cpu);

    private static VmChangeFeed.Sent Read(VmDto vm, double secondsAfterT0) => VmChangeFeed.Sent.Of(vm, T0.AddSeconds(secondsAfterT0));

    [Theory]
    [InlineData("Stopped", 0.30, 0.5, true)]   // a state change, at once
    [InlineData("Running", 0.35, 0.5, true)]   // five points, at once
    [InlineData("Running", 0.24, 0.5, true)]   // six points down, at once
    [InlineData("Running", 0.32, 0.5, false)]  // two points: not yet
    [InlineData("Running", 0.32, 9.5, false)]  // still not ten seconds
    [InlineData("Running", 0.32, 10, true)]    // two points, ten seconds on
    [InlineData("Running", 0.302, 60, false)]  // under a percent: never
    [InlineData("Running", 0.30, 60, false)]   // nothing changed
    public void Changed_SendsStateAndBigCpuMovesAtOnce_SmallCpuMovesAfterTheRefresh(string state, double cpu, double secondsLater, bool sent)
    {
        var before = Read(Vm(), 0);
        var seen = Read(Vm(state, cpu), secondsLater);

        VmChangeFeed.Changed(before, seen).Should().Be(sent);
    }
}
