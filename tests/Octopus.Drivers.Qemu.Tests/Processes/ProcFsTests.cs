using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Processes;

public sealed class ProcFsTests
{
    [Fact]
    public void ParseStat_CommandWithSpacesAndParentheses_FieldsCountedFromTheLastParenthesis()
    {
        // Field 2 is "(qemu (x) y)"; after it: state S, then fields 4..13, utime=250 (14), stime=50 (15).
        const string stat = "1234 (qemu (x) y) S 1 1234 1234 0 -1 4194624 100 0 0 0 250 50 0 0 20 0 5 0";

        var parsed = ProcFs.ParseStat(stat);

        parsed.Should().Be(new ProcFs.Stat('S', 250, 50));
    }

    [Fact]
    public void Usage_ThisProcess_HasCpuTimeAndResidentMemory()
    {
        var usage = ProcFs.Usage(Environment.ProcessId);

        usage.Should().NotBeNull();
        usage!.CpuTime.Should().BePositive();
        usage.RssBytes.Should().BeGreaterThan(1024 * 1024);
    }

    [Fact]
    public void IsAlive_ThisProcessAndANonexistentPid()
    {
        ProcFs.IsAlive(Environment.ProcessId).Should().BeTrue();
        ProcFs.IsAlive(int.MaxValue).Should().BeFalse();
        ProcFs.CommandLine(int.MaxValue).Should().BeNull();
    }
}
