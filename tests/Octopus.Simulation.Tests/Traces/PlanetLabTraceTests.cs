using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Traces;

public sealed class PlanetLabTraceTests
{
    [Fact]
    public void Load_Folder_SortsFilesByNameAndReadsEverySample()
    {
        using var folder = new TraceFolder()
            .Vm("b-vm", Enumerable.Repeat(7, 288))
            .Vm("a-vm", Enumerable.Range(0, 288).Select(i => i % 101));
        var trace = PlanetLabTrace.Load(folder.Path);
        trace.VmNames.Should().Equal("a-vm", "b-vm");
        trace.Percent(0, 100).Should().Be(100);
        trace.Percent(0, 101).Should().Be(0);
        trace.Percent(1, 287).Should().Be(7);
    }

    [Fact]
    public void Load_MissingFolder_SaysSo()
    {
        var act = () => PlanetLabTrace.Load("/nonexistent/octopus/day");
        act.Should().Throw<TraceException>().WithMessage("*does not exist*");
    }

    [Fact]
    public void Load_ShortFile_NamesFileAndCount()
    {
        using var folder = new TraceFolder().Vm("short", Enumerable.Repeat(5, 100));
        var act = () => PlanetLabTrace.Load(folder.Path);
        act.Should().Throw<TraceException>().WithMessage("*short*100 values*288*");
    }

    [Fact]
    public void Load_NonNumericLine_NamesLine()
    {
        using var folder = new TraceFolder().Raw("bad", "5\n6\nabc\n");
        var act = () => PlanetLabTrace.Load(folder.Path);
        act.Should().Throw<TraceException>().WithMessage("*bad*line 3*");
    }

    [Fact]
    public void Load_ValueAbove100_IsRejected()
    {
        using var folder = new TraceFolder().Raw("big", "101\n");
        var act = () => PlanetLabTrace.Load(folder.Path);
        act.Should().Throw<TraceException>().WithMessage("*above 100*");
    }

    [Fact]
    public void Load_EmptyFolder_SaysWhatIsExpected()
    {
        using var folder = new TraceFolder();
        var act = () => PlanetLabTrace.Load(folder.Path);
        act.Should().Throw<TraceException>().WithMessage("*no files*");
    }
}
