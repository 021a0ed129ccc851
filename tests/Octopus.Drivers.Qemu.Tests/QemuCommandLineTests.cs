using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu.Tests;

public sealed class QemuCommandLineTests
{
    private static readonly VmId Id = new(Guid.Parse("0190a000-0000-7000-8000-000000000001"));
    private static readonly QemuOptions Options = new() { DataDir = "/data" };
    private static readonly VmFolder Folder = new("/data", Id);

    private static QemuVmSpec Spec(string disk = "/storage/disks/a.qcow2", int cores = 2, int memoryMiB = 128) =>
        new(Id, "web-1", cores, ByteSize.FromMiB(memoryMiB), disk, new DirectKernelBoot("/g/vmlinux", "/g/initramfs.gz", "console=ttyS0 quiet"));

    private static string After(IReadOnlyList<string> argv, string option)
    {
        var i = argv.ToList().IndexOf(option);
        i.Should().BeGreaterThanOrEqualTo(0, $"{option} should be present");
        return argv[i + 1];
    }

    [Fact]
    public void Build_Geometry_MemoryInMiBAndVcpus()
    {
        var argv = QemuCommandLine.Build(Spec(cores: 2, memoryMiB: 128), Folder, Options);

        After(argv, "-m").Should().Be("128M");
        After(argv, "-smp").Should().Be("2");
        After(argv, "-accel").Should().Be("tcg,tb-size=32");
    }

    [Fact]
    public void Build_Spec_DirectKernelBootWithConsoleOnTtyS0()
    {
        var argv = QemuCommandLine.Build(Spec(), Folder, Options);

        After(argv, "-kernel").Should().Be("/g/vmlinux");
        After(argv, "-initrd").Should().Be("/g/initramfs.gz");
        After(argv, "-append").Should().Be("console=ttyS0 quiet", "the command line is one argv element, never split by a shell");
    }

    [Fact]
    public void Build_Spec_DiskSocketsAndFilesInTheVmFolder()
    {
        var dir = $"/data/vms/{Id}";
        var argv = QemuCommandLine.Build(Spec(), Folder, Options);

        After(argv, "-drive").Should().Be("file=/storage/disks/a.qcow2,format=qcow2,if=virtio,id=disk0");
        After(argv, "-chardev").Should().Be($"socket,id=serial0,path={dir}/serial.sock,server=on,wait=off,logfile={dir}/console.log,logappend=on");
        After(argv, "-serial").Should().Be("chardev:serial0");
        After(argv, "-qmp").Should().Be($"unix:{dir}/qmp.sock,server=on,wait=off");
        After(argv, "-pidfile").Should().Be($"{dir}/qemu.pid");
        After(argv, "-display").Should().Be("none");
        argv.Should().Contain("-daemonize").And.NotContain("-incoming");
    }

    [Fact]
    public void Build_Spec_ScreenIsVgaServedAsVncOnAUnixSocketOnly()
    {
        var argv = QemuCommandLine.Build(Spec(), Folder, Options);

        After(argv, "-device").Should().Be("VGA");
        After(argv, "-vnc").Should().Be($"unix:/data/vms/{Id}/vnc.sock", "never a TCP port: only the agent reaches the screen");
        var headless = QemuCommandLine.Build(Spec() with { Graphics = false }, Folder, Options);
        headless.Should().NotContain("-vnc").And.NotContain("VGA");
    }

    [Fact]
    public void Build_PathWithComma_CommaDoubledInsideOptionLists()
    {
        var argv = QemuCommandLine.Build(Spec(disk: "/storage/a,b.qcow2"), Folder, Options);

        After(argv, "-drive").Should().StartWith("file=/storage/a,,b.qcow2,format=qcow2");
    }

    [Fact]
    public void Build_TcpIncoming_SameMachinePlusIncoming()
    {
        var plain = QemuCommandLine.Build(Spec(), Folder, Options);
        var incoming = QemuCommandLine.Build(Spec(), Folder, Options, new IncomingMigration.Tcp("127.0.0.1", 40123));

        incoming.Take(plain.Count).Should().Equal(plain);
        incoming.Skip(plain.Count).Should().Equal("-incoming", "tcp:127.0.0.1:40123");
    }

    [Fact]
    public void Build_DeferredIncoming_StartsPausedWaitingForMigrateIncoming()
    {
        var argv = QemuCommandLine.Build(Spec(), Folder, Options, new IncomingMigration.Deferred());

        argv.TakeLast(3).Should().Equal("-incoming", "defer", "-S");
    }

    [Fact]
    public void Build_KvmAccelerator_UsesTheConfiguredValue()
    {
        var argv = QemuCommandLine.Build(Spec(), Folder, Options with { Accelerator = "kvm" });

        After(argv, "-accel").Should().Be("kvm");
    }

    [Theory]
    [InlineData("disks/a.qcow2", 1, 128, "disk path must be absolute")]
    [InlineData("/a.qcow2", 0, 128, "cores must be at least 1")]
    [InlineData("/a.qcow2", 1, 8, "at least 16 MiB")]
    public void Build_BadSpec_ThrowsSayingWhatIsWrong(string disk, int cores, int memoryMiB, string message)
    {
        var act = () => QemuCommandLine.Build(Spec(disk, cores, memoryMiB), Folder, Options);

        act.Should().Throw<DriverException>().WithMessage($"*{message}*");
    }

    [Fact]
    public void Build_MemoryNotWholeMiB_Throws()
    {
        var spec = Spec() with { Memory = new ByteSize(128 * ByteSize.MiB + 1) };

        var act = () => QemuCommandLine.Build(spec, Folder, Options);

        act.Should().Throw<DriverException>().WithMessage("*whole number of MiB*");
    }
}
