using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu.Tests;

public sealed class VmFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("oqf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteSpec_ReadSpec_RoundTrips()
    {
        var spec = new QemuVmSpec(VmId.New(), "db", 3, ByteSize.FromMiB(256), "/s/d.qcow2", new DirectKernelBoot("/k", null, "console=ttyS0"));
        var folder = new VmFolder(_dir, spec.Id);
        folder.Create();

        folder.WriteSpec(spec);

        folder.ReadSpec().Should().Be(spec);
    }

    [Fact]
    public void ReadSpec_Malformed_ThrowsDriverExceptionNamingTheFile()
    {
        var folder = new VmFolder(_dir, VmId.New());
        folder.Create();
        File.WriteAllText(folder.SpecFile, "{ not json");

        var act = () => folder.ReadSpec();

        act.Should().Throw<DriverException>().WithMessage($"*{folder.SpecFile}*not a valid VM spec*");
    }

    [Fact]
    public void Create_DataDirTooDeepForAUnixSocket_ThrowsSayingSo()
    {
        var deep = Path.Combine(_dir, new string('d', 80));

        var act = () => new VmFolder(deep, VmId.New()).Create();

        act.Should().Throw<DriverException>().WithMessage("*longer than 107 bytes*shorter --data*");
    }

    [Fact]
    public void Enumerate_IgnoresFoldersThatAreNotVmIds()
    {
        var id = VmId.New();
        new VmFolder(_dir, id).Create();
        Directory.CreateDirectory(Path.Combine(_dir, "vms", "lost+found"));

        VmFolder.Enumerate(_dir).Select(f => f.Vm).Should().Equal(id);
    }

    [Fact]
    public void ReadPid_GarbageOrMissing_Null()
    {
        var folder = new VmFolder(_dir, VmId.New());
        folder.Create();
        folder.ReadPid().Should().BeNull();

        File.WriteAllText(folder.PidFile, "abc\n");
        folder.ReadPid().Should().BeNull();

        File.WriteAllText(folder.PidFile, "4242\n");
        folder.ReadPid().Should().Be(4242);
    }
}
