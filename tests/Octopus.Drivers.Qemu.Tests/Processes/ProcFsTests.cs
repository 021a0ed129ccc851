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
    public void ParseIo_StorageCountersOnly_NotTheCharacterCounters()
    {
        // rchar/wchar count every read and write (sockets too); read_bytes/write_bytes what reached storage.
        const string io = "rchar: 9000\nwchar: 8000\nsyscr: 10\nsyscw: 20\nread_bytes: 4096\nwrite_bytes: 12288\ncancelled_write_bytes: 0\n";

        ProcFs.ParseIo(io).Should().Be((4096L, 12288L));
        ProcFs.ParseIo("rchar: 1\n").Should().BeNull();
    }

    [Fact]
    public void IoBytes_ThisProcess_AndNetBytes_Loopback()
    {
        File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"procfs-io-{Environment.ProcessId}"), new byte[8192]);
        ProcFs.IoBytes(Environment.ProcessId).Should().NotBeNull();
        ProcFs.IoBytes(int.MaxValue).Should().BeNull();
        ProcFs.NetBytes("lo").Should().NotBeNull();
        ProcFs.NetBytes("no-such-tap0").Should().BeNull();
        File.Delete(Path.Combine(Path.GetTempPath(), $"procfs-io-{Environment.ProcessId}"));
    }

    [Fact]
    public void IsAlive_ThisProcessAndANonexistentPid()
    {
        ProcFs.IsAlive(Environment.ProcessId).Should().BeTrue();
        ProcFs.IsAlive(int.MaxValue).Should().BeFalse();
        ProcFs.CommandLine(int.MaxValue).Should().BeNull();
    }
}
