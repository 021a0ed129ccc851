using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu.Tests;

/// <summary>NICs on the QEMU command line and in spec.json; the refusals that come before QEMU is ever started.</summary>
public sealed class QemuNicTests
{
    private static readonly VmId Id = new(Guid.Parse("0190a000-0000-7000-8000-000000000001"));
    private static readonly QemuOptions Options = new() { DataDir = "/data" };
    private static readonly VmFolder Folder = new("/data", Id);

    private static QemuVmSpec Spec(params TapPort[] nics) =>
        new(Id, "web-1", 1, ByteSize.FromMiB(128), "/storage/a.qcow2", new DirectKernelBoot("/g/vmlinux", null, ""), Nics: nics);

    [Fact]
    public void TapName_FitsTheKernelLimit_AndDiffersPerSlot()
    {
        QemuVmSpec.TapName(Id, 0).Should().Be("o0190a00000n0"); // "o" + the id's first 10 hex digits + "n" + slot
        QemuVmSpec.TapName(Id, 99).Should().HaveLength(14);
        FluentActions.Invoking(() => QemuVmSpec.TapName(Id, 100)).Should().Throw<DriverException>().WithMessage("*slot 100*");
    }

    [Fact]
    public void Build_TwoNics_OneTapNetdevAndOneVirtioDeviceEach_InSlotOrder()
    {
        var argv = QemuCommandLine.Build(Spec(new TapPort("o0190a00000n0", "br-lab", "52:54:00:0a:4d:00"),
            new TapPort("o0190a00000n1", "br-dmz", "52:54:00:0a:4d:01")), Folder, Options);

        var joined = string.Join(' ', argv);
        joined.Should().Contain("-netdev tap,id=net0,ifname=o0190a00000n0,script=no,downscript=no -device virtio-net-pci,netdev=net0,mac=52:54:00:0a:4d:00");
        joined.Should().Contain("-netdev tap,id=net1,ifname=o0190a00000n1,script=no,downscript=no -device virtio-net-pci,netdev=net1,mac=52:54:00:0a:4d:01");
        joined.IndexOf("net0", StringComparison.Ordinal).Should().BeLessThan(joined.IndexOf("net1", StringComparison.Ordinal), "eth0 is the first NIC");
    }

    [Fact]
    public void Build_E1000Model_UsedForEveryNic()
    {
        var argv = QemuCommandLine.Build(Spec(new TapPort("t0", "br0", "52:54:00:00:00:01")), Folder, Options with { NicModel = "e1000" });

        argv.Should().Contain("e1000,netdev=net0,mac=52:54:00:00:00:01");
    }

    [Fact]
    public void Build_NoNics_NoNetdev()
    {
        QemuCommandLine.Build(Spec(), Folder, Options).Should().NotContain("-netdev");
    }

    [Theory]
    [InlineData("52:54:00:00:00", "t0", "*not a MAC address*")]
    [InlineData("52:54:00:00:00:01", "tap-name-too-long", "*not a tap name*")]
    [InlineData("52:54:00:00:00:01", "t/0", "*not a tap name*")]
    public void Validate_BadNic_NamesWhatIsWrong(string mac, string tap, string message)
    {
        FluentActions.Invoking(() => Spec(new TapPort(tap, "br0", mac)).Validate()).Should().Throw<DriverException>().WithMessage(message);
    }

    [Fact]
    public void Validate_SameTapTwice_Refused()
    {
        FluentActions.Invoking(() => Spec(new TapPort("t0", "br0", "52:54:00:00:00:01"), new TapPort("t0", "br1", "52:54:00:00:00:02")).Validate())
            .Should().Throw<DriverException>().WithMessage("*two NICs use tap t0*");
    }

    [Fact]
    public void Options_UnknownNicModel_Refused()
    {
        FluentActions.Invoking(() => (Options with { NicModel = "ne2k" }).Validate()).Should().Throw<DriverException>().WithMessage("*NicModel*ne2k*");
    }

    [Fact]
    public void SpecJson_RoundTripsNics_AndOldFilesHaveNone()
    {
        var dir = Directory.CreateTempSubdirectory("oqnic-").FullName;
        try
        {
            var folder = new VmFolder(dir, Id);
            folder.Create();
            var spec = Spec(new TapPort("o0190a00000n0", "br-lab", "52:54:00:0a:4d:00"));
            folder.WriteSpec(spec);
            folder.ReadSpec().Should().Be(spec, "the NICs survive an agent restart");

            folder.WriteSpec(Spec());
            File.ReadAllText(folder.SpecFile).Should().NotContain("nics", "a VM without NICs writes the file it always wrote");
            folder.ReadSpec().NicList.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Create_NicsButNoPlumbing_RefusedBeforeQemuStarts()
    {
        var dir = Directory.CreateTempSubdirectory("oqnic-").FullName;
        try
        {
            var driver = new QemuNodeDriver(Domain.Hosts.HostId.New(), new QemuOptions { DataDir = dir }, new DirectKernelBoot("/k", null, ""), TimeProvider.System);
            var disk = Path.Combine(dir, "d.qcow2");
            await File.WriteAllTextAsync(disk, "", TestContext.Current.CancellationToken);
            var spec = new VmRuntimeSpec(Id, "web-1", Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), ImageName.Parse("x")),
                [DiskAttachment.Flat(disk)], [new NicSpec("52:54:00:0a:4d:00", "lab", "br-lab", "10.77.0.10")], null, ConsoleSpec.SerialOnly);

            var act = () => driver.CreateAsync(spec, TestContext.Current.CancellationToken);

            (await act.Should().ThrowAsync<DriverException>()).WithMessage("*no network plumbing configured*1 NIC(s)*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
