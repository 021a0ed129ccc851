using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests;

/// <summary>What the driver decides before any QEMU runs: bad requests get clear errors. (Real QEMU: Integration/.)</summary>
public sealed class QemuNodeDriverTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("oqd-").FullName;
    private readonly QemuNodeDriver _driver;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public QemuNodeDriverTests()
    {
        var boot = new DirectKernelBoot("/nonexistent/vmlinux", null, "console=ttyS0");
        _boot = boot;
        _driver = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(_dir, "data"), QemuBinary = "/nonexistent/qemu-system-x86_64" },
            boot, TimeProvider.System);
    }

    private readonly DirectKernelBoot _boot;

    public async ValueTask DisposeAsync()
    {
        await _driver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly Geometry Small = Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), ImageName.Parse("debian-12"));

    [Fact]
    public async Task Create_SpecWithoutDisk_RefusedSayingOneDiskIsNeeded()
    {
        var act = () => _driver.CreateAsync(VmRuntimeSpec.Minimal(VmId.New(), "web", Small), Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*VM web*exactly one disk*has 0*");
    }

    [Fact]
    public async Task Create_BackingFileMissing_NamesTheMissingFile()
    {
        var disk = Path.Combine(_dir, "leaf.qcow2");
        var spec = new VmRuntimeSpec(VmId.New(), "web", Small, [new DiskAttachment(disk, [disk, "/nonexistent/base.qcow2"], false)], [], null, ConsoleSpec.SerialOnly);

        var act = () => _driver.CreateAsync(spec, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*backing file /nonexistent/base.qcow2*missing*");
    }

    [Fact]
    public async Task Create_RelativeDiskPath_Refused()
    {
        var spec = VmRuntimeSpec.Minimal(VmId.New(), "web", Small) with { Disks = [DiskAttachment.Flat("disk.qcow2")] };

        var act = () => _driver.CreateAsync(spec, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*disk path must be absolute*disk.qcow2*");
    }

    [Fact]
    public async Task Create_NoBootMediaAnywhere_RefusedNamingTheHost()
    {
        await using var bare = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(_dir, "bare") }, null, TimeProvider.System);
        var spec = VmRuntimeSpec.Minimal(VmId.New(), "web", Small) with { Disks = [DiskAttachment.Flat(Path.Combine(_dir, "d.qcow2"))] };

        var act = () => bare.CreateAsync(spec, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage($"*names no boot media*host {bare.Host}*");
    }

    [Fact]
    public async Task Layout_ImageNotInStorage_SaysWhereItWasExpected()
    {
        var layout = new SharedStorageLayout(Path.Combine(_dir, "storage"), _boot, new QemuImg());

        var act = () => layout.SpecForAsync(VmId.New(), "web", Small, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*image 'debian-12' is not in shared storage*images/debian-12.qcow2*import it first*");
    }

    [Fact]
    public async Task Create_QemuNotInstalled_SaysHowToInstallIt()
    {
        var disk = Path.Combine(_dir, "d.qcow2");
        await new QemuImg().CreateAsync(disk, 64L << 20, Ct);
        var spec = new QemuVmSpec(VmId.New(), "web", 1, ByteSize.FromMiB(128), disk, new DirectKernelBoot("/k", null, ""));

        var act = () => _driver.CreateAsync(spec, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*QEMU is not installed at /nonexistent/qemu-system-x86_64*scripts/install-deps*");
    }

    [Fact]
    public async Task Operations_UnknownVm_SayTheVmIsNotOnThisHost()
    {
        var vm = VmId.New();

        var act = () => _driver.RebootAsync(vm, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage($"*VM {vm} is not defined on host {_driver.Host}*");
        await _driver.DeleteAsync(vm, Ct); // deleting an unknown VM succeeds
        await _driver.AbortIncomingAsync(vm, Ct); // so does aborting a migration that never started
    }

    [Fact]
    public async Task Migrate_VmNoLongerHere_TakenAsMigratedWithUnknownFigures()
    {
        var stats = await _driver.MigrateAsync(VmId.New(), new MigrationTarget(HostId.New(), "tcp:127.0.0.1:1"), null, Ct);

        stats.Should().Be(MigrationStats.Unknown, "a replayed migration whose source already handed the VM over succeeds");
    }

    [Fact]
    public async Task Recover_UnreadableFolder_ReportedAndLeftInPlace()
    {
        var folder = new VmFolder(Path.Combine(_dir, "data"), VmId.New());
        folder.Create();
        await File.WriteAllTextAsync(folder.SpecFile, "garbage", Ct);

        var recovered = await _driver.RecoverAsync(Ct);

        recovered.Should().ContainSingle().Which.Outcome.Should().Be(RecoveryOutcome.Unreadable);
        folder.Exists.Should().BeTrue("an operator decides what to do with a folder the agent cannot read");
    }

    [Fact]
    public async Task Recover_SpecButNoProcess_Stopped()
    {
        var spec = new QemuVmSpec(VmId.New(), "web", 1, ByteSize.FromMiB(128), "/s/d.qcow2", new DirectKernelBoot("/k", null, ""));
        var folder = new VmFolder(Path.Combine(_dir, "data"), spec.Id);
        folder.Create();
        folder.WriteSpec(spec);
        await File.WriteAllTextAsync(folder.PidFile, $"{Environment.ProcessId}\n", Ct); // alive, but not a QEMU

        var recovered = await _driver.RecoverAsync(Ct);

        recovered.Should().ContainSingle().Which.Outcome.Should().Be(RecoveryOutcome.Stopped, "a recycled pid is never adopted");
        (await _driver.GetStateAsync(spec.Id, Ct)).State.Should().Be(QemuRunState.Stopped);
    }
}
