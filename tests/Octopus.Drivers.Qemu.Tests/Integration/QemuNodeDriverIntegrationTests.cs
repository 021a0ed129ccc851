using System.Text.RegularExpressions;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Migration;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Integration;

/// <summary>Real QEMU (TCG) running the tiny test guest: boot, heartbeat, pause/resume, reboot, graceful power-off,
/// live migration, live snapshot, re-adoption. Tests run one after another (one class) so two cores are enough;
/// every QEMU is killed by pid afterwards, pass or fail.</summary>
public sealed partial class QemuNodeDriverIntegrationTests(TestGuestFixture guest) : IClassFixture<TestGuestFixture>, IAsyncLifetime
{
    private const string Ready = "OCTOPUS-GUEST-READY";
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(60);
    private readonly List<QemuNodeDriver> _drivers = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"OCTOPUS-HEARTBEAT (\d+)")]
    private static partial Regex HeartbeatLine();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _drivers) await d.DisposeAsync();
        guest.KillAll();
    }

    private void RequireQemu()
    {
        if (guest.SkipReason is not null) Assert.Skip(guest.SkipReason);
    }

    private QemuNodeDriver NewDriver(string name, HostId? host = null)
    {
        var options = new QemuOptions { DataDir = Path.Combine(guest.Root, name), ShutdownTimeout = TimeSpan.FromSeconds(20) };
        var driver = new QemuNodeDriver(host ?? HostId.New(), options, guest.Boot, TimeProvider.System);
        _drivers.Add(driver);
        return driver;
    }

    private Task<VmRuntimeSpec> NewVm(string name) =>
        new SharedStorageLayout(guest.Storage, guest.Boot, new QemuImg())
            .SpecForAsync(VmId.New(), name, Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), TestGuestFixture.Image), Ct);

    private async Task<VmRuntimeSpec> BootAsync(QemuNodeDriver driver, string name)
    {
        var vm = await NewVm(name);
        await driver.CreateAsync(vm, Ct);
        await WaitForConsoleAsync(driver, vm.Id, c => c.Contains(Ready, StringComparison.Ordinal), "the ready marker");
        return vm;
    }

    /// <summary>Polls the serial console until <paramref name="until"/> holds; fails with the console's tail otherwise.</summary>
    private static async Task<string> WaitForConsoleAsync(QemuNodeDriver driver, VmId vm, Func<string, bool> until, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? BootTimeout);
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            text = await driver.ReadConsoleAsync(vm, 64 * 1024, Ct);
            if (until(text)) return text;
            await Task.Delay(100, Ct);
        }
        throw new Xunit.Sdk.XunitException($"waited {(timeout ?? BootTimeout).TotalSeconds} s for {what}; console ends with:\n{Tail(text)}");
    }

    private static int LastHeartbeat(string console)
    {
        var matches = HeartbeatLine().Matches(console);
        return matches.Count == 0 ? 0 : int.Parse(matches[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<string> WaitForHeartbeatAboveAsync(QemuNodeDriver driver, VmId vm, int above) =>
        WaitForConsoleAsync(driver, vm, c => LastHeartbeat(c) > above, $"a heartbeat above {above}", TimeSpan.FromSeconds(30));

    private static int Count(string text, string what) => Regex.Count(text, Regex.Escape(what));

    private static string Tail(string s) => s.Length <= 1500 ? s : s[^1500..];

    [Fact]
    public async Task Create_TestGuest_BootsToReadyMarkerAndHeartbeatIncreases()
    {
        RequireQemu();
        var driver = NewDriver("boot");

        var vm = await BootAsync(driver, "boot");
        var first = LastHeartbeat(await driver.ReadConsoleAsync(vm.Id, 64 * 1024, Ct));
        await WaitForHeartbeatAboveAsync(driver, vm.Id, first + 1);

        var state = await driver.GetStateAsync(vm.Id, Ct);
        state.State.Should().Be(QemuRunState.Running);
        var argv = ProcFs.CommandLine(state.Pid!.Value)!;
        argv.Should().ContainInOrder("-accel", "tcg,tb-size=32").And.ContainInOrder("-m", "128M");
        var usage = driver.GetUsage(vm.Id)!;
        usage.CpuTime.Should().BePositive("booting a kernel under TCG costs CPU");
        usage.RssBytes.Should().BeInRange(64L << 20, 1L << 30, "a 128 MiB TCG guest with tb-size=32 stays well under 1 GiB");
        usage.Figures!.MemoryBytes.Should().Be(usage.RssBytes);
        var observed = await driver.ObserveAsync(Ct);
        var seen = observed.Vms.Should().ContainSingle(o => o.Vm == vm.Id && o.Running).Which;
        // The second sample has counters to compare with: memory is the QEMU's resident set, rates are never negative
        // (the guest may have read nothing from storage: its image is in the page cache).
        seen.Figures!.MemoryBytes.Should().BeInRange(64L << 20, 1L << 30);
        new[] { seen.Figures.DiskReadBytesPerSecond, seen.Figures.DiskWriteBytesPerSecond, seen.Figures.NetReceiveBytesPerSecond,
            seen.Figures.NetTransmitBytesPerSecond }.Should().OnlyContain(r => r >= 0);
    }

    [Fact]
    public async Task CreateAgain_RunningVm_IsIdempotent()
    {
        RequireQemu();
        var driver = NewDriver("idem");
        var vm = await BootAsync(driver, "idem");
        var pid = (await driver.GetStateAsync(vm.Id, Ct)).Pid;

        await driver.CreateAsync(vm, Ct);
        await driver.StartAsync(vm, Ct);

        (await driver.GetStateAsync(vm.Id, Ct)).Pid.Should().Be(pid, "asking for a state that already holds does nothing");
    }

    [Fact]
    public async Task PauseResume_RunningGuest_HeartbeatStopsThenContinues()
    {
        RequireQemu();
        var driver = NewDriver("pause");
        var vm = await BootAsync(driver, "pause");

        await driver.PauseAsync(vm.Id, Ct);
        (await driver.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Paused);
        var atPause = LastHeartbeat(await driver.ReadConsoleAsync(vm.Id, 64 * 1024, Ct));
        // Proving that nothing happens needs some time to pass: 2 s is two heartbeats a running guest would print.
        await Task.Delay(2000, Ct);
        LastHeartbeat(await driver.ReadConsoleAsync(vm.Id, 64 * 1024, Ct)).Should().Be(atPause);

        await driver.ResumeAsync(vm.Id, Ct);
        (await driver.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Running);
        await WaitForHeartbeatAboveAsync(driver, vm.Id, atPause);
    }

    [Fact]
    public async Task Reboot_RunningGuest_BootsAgain()
    {
        RequireQemu();
        var driver = NewDriver("reboot");
        var vm = await BootAsync(driver, "reboot");
        var pid = (await driver.GetStateAsync(vm.Id, Ct)).Pid;

        await driver.RebootAsync(vm.Id, Ct);

        await WaitForConsoleAsync(driver, vm.Id, c => Count(c, Ready) == 2, "a second ready marker");
        (await driver.GetStateAsync(vm.Id, Ct)).Pid.Should().Be(pid, "a reset reboots the guest inside the same QEMU");
    }

    [Fact]
    public async Task Stop_RunningGuest_PowersOffGracefullyAndCanStartAgain()
    {
        RequireQemu();
        var driver = NewDriver("stop");
        var vm = await BootAsync(driver, "stop");
        var pid = (await driver.GetStateAsync(vm.Id, Ct)).Pid!.Value;

        await driver.StopAsync(vm.Id, Ct);

        var console = await driver.ReadConsoleAsync(vm.Id, 64 * 1024, Ct);
        console.Should().Contain("OCTOPUS-GUEST-POWEROFF", "the guest's acpid handled the power button (not a kill)");
        ProcFs.IsAlive(pid).Should().BeFalse();
        (await driver.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Stopped);

        await driver.StartAsync(vm.Id, Ct);
        await WaitForConsoleAsync(driver, vm.Id, c => Count(c, Ready) == 2, "the ready marker after a new start");
    }

    [Fact]
    public async Task Delete_RunningGuest_KillsQemuRemovesFolderKeepsDisk()
    {
        RequireQemu();
        var driver = NewDriver("delete");
        var vm = await BootAsync(driver, "delete");
        var pid = (await driver.GetStateAsync(vm.Id, Ct)).Pid!.Value;
        var disk = driver.GetSpec(vm.Id).Disk;

        await driver.DeleteAsync(vm.Id, Ct);

        ProcFs.IsAlive(pid).Should().BeFalse();
        new VmFolder(Path.Combine(guest.Root, "delete"), vm.Id).Exists.Should().BeFalse();
        File.Exists(disk).Should().BeTrue("the disk tree owns disks; deleting a VM here never removes one");
        driver.Vms.Should().BeEmpty();
        await driver.DeleteAsync(vm.Id, Ct); // deleting an unknown VM succeeds
    }

    [Fact]
    public async Task Migrate_RunningGuest_HeartbeatContinuesOnDestination()
    {
        RequireQemu();
        var source = NewDriver("mig-a");
        var destination = NewDriver("mig-b");
        var vm = await BootAsync(source, "mig");
        var sourcePid = (await source.GetStateAsync(vm.Id, Ct)).Pid!.Value;
        var before = LastHeartbeat(await WaitForHeartbeatAboveAsync(source, vm.Id, 1));
        var progress = new List<double>();

        var target = await destination.PrepareIncomingAsync(vm, Ct);
        var stats = await source.MigrateAsync(vm.Id, target, new SyncProgress(progress.Add), Ct);

        stats.Downtime.Should().NotBeNull("QEMU reports the downtime it measured");

        source.Vms.Should().BeEmpty("the VM left the source host");
        ProcFs.IsAlive(sourcePid).Should().BeFalse("the source QEMU quits after a completed migration");
        (await destination.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Running);
        var after = await WaitForHeartbeatAboveAsync(destination, vm.Id, before);
        after.Should().NotContain(Ready, "the guest carried on; it did not boot again");
        progress.Should().NotBeEmpty().And.EndWith(1.0);
        progress.Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Migrate_WithoutSharedStorage_DiskCopiedOverNbdAndHeartbeatContinues()
    {
        RequireQemu();
        var source = NewDriver("copy-a");
        var destination = NewDriver("copy-b");
        var vm = await BootAsync(source, "copy");
        var sourceDisk = source.GetSpec(vm.Id).Disk;
        var before = LastHeartbeat(await WaitForHeartbeatAboveAsync(source, vm.Id, 1));
        var progress = new List<double>();

        var report = await source.MigrateToAsync(vm.Id, destination, MigrationStorage.Copy, new SyncProgress(progress.Add), Ct);

        report.TotalTime.Should().BePositive();
        source.Vms.Should().BeEmpty();
        var copied = destination.GetSpec(vm.Id).Disk;
        copied.Should().StartWith(Path.Combine(guest.Root, "copy-b", "disks"), "the destination runs on its own local copy");
        (await new QemuImg().BackingFileAsync(copied, Ct)).Should().BeNull("a full mirror flattens the chain");
        File.Exists(sourceDisk).Should().BeTrue("the source's disk belongs to the source's disk tree");
        (await destination.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Running);
        var after = await WaitForHeartbeatAboveAsync(destination, vm.Id, before);
        after.Should().NotContain(Ready);
        progress.Should().BeInAscendingOrder().And.EndWith(1.0);
        progress.Should().Contain(p => p <= 0.5, "the disk copy reports the first half (a nearly empty disk is in sync at once)");
    }

    [Fact]
    public async Task Migrate_DestinationDiesMidway_VmKeepsRunningOnSourceAndDestinationIsCleaned()
    {
        RequireQemu();
        var source = NewDriver("fail-a");
        var destination = NewDriver("fail-b");
        var vm = await BootAsync(source, "fail");
        var before = LastHeartbeat(await source.ReadConsoleAsync(vm.Id, 64 * 1024, Ct));

        var act = () => source.MigrateToAsync(vm.Id, new KillsDestinationAfterPrepare(destination), null, Ct);

        (await act.Should().ThrowAsync<DriverException>()).WithMessage("*keeps running on host*");
        (await source.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Running);
        await WaitForHeartbeatAboveAsync(source, vm.Id, before);
        destination.Vms.Should().BeEmpty();
        new VmFolder(Path.Combine(guest.Root, "fail-b"), vm.Id).Exists.Should().BeFalse();
    }

    [Fact]
    public async Task StartOnDisk_StoppedVmWhoseDiskWasFrozenOffline_BootsTheNewLeafAndRecordsIt()
    {
        RequireQemu();
        var driver = NewDriver("offline");
        var vm = await BootAsync(driver, "offline");
        await driver.StopAsync(vm.Id, Ct);
        // The disk tree snapshots a stopped VM on the files, behind the driver's back: the old file is now frozen.
        var frozen = new FileInfo(driver.GetSpec(vm.Id).Disk);
        var leaf = Path.Combine(guest.Storage, "disks", $"{vm.Id}-offline.qcow2");
        await new QemuImg().CreateChildAsync(frozen.FullName, leaf, Ct);
        var (size, written) = (frozen.Length, frozen.LastWriteTimeUtc);

        await driver.StartAsync(vm.Id, leaf, Ct);
        await WaitForConsoleAsync(driver, vm.Id, c => Count(c, Ready) == 2, "the ready marker after the start on the new leaf");

        driver.GetSpec(vm.Id).Disk.Should().Be(leaf);
        new VmFolder(Path.Combine(guest.Root, "offline"), vm.Id).ReadSpec().Disk.Should().Be(leaf, "spec.json follows");
        var pid = (await driver.GetStateAsync(vm.Id, Ct)).Pid!.Value;
        File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Should().Contain(a => a.Contains($"file={leaf},", StringComparison.Ordinal));
        frozen.Refresh();
        (frozen.Length, frozen.LastWriteTimeUtc).Should().Be((size, written), "the frozen file is never written");
        var missing = () => driver.StartAsync(vm.Id, Path.Combine(guest.Storage, "nope.qcow2"), Ct);
        await missing.Should().NotThrowAsync("a running VM keeps the disk it has open");
    }

    [Fact]
    public async Task SnapshotDisk_RunningGuest_NewOverlayBacksOntoFrozenDisk()
    {
        RequireQemu();
        var driver = NewDriver("snap");
        var vm = await BootAsync(driver, "snap");
        var frozen = driver.GetSpec(vm.Id).Disk;
        var overlay = Path.Combine(guest.Storage, "disks", $"{vm.Id}-s1.qcow2");
        var before = LastHeartbeat(await driver.ReadConsoleAsync(vm.Id, 64 * 1024, Ct));

        var snap = await driver.SnapshotDiskAsync(vm.Id, overlay, Ct);

        snap.Should().Be(new DiskSnapshot(vm.Id, frozen, overlay));
        (await new QemuImg().BackingFileAsync(overlay, Ct)).Should().Be(frozen);
        driver.GetSpec(vm.Id).Disk.Should().Be(overlay);
        new VmFolder(Path.Combine(guest.Root, "snap"), vm.Id).ReadSpec().Disk.Should().Be(overlay, "a restart must use the new leaf");
        (await driver.GetStateAsync(vm.Id, Ct)).State.Should().Be(QemuRunState.Running, "a live snapshot does not stop the guest");
        await WaitForHeartbeatAboveAsync(driver, vm.Id, before);
        await driver.SwitchDiskAsync(vm.Id, overlay, Ct); // a replayed switch: the VM already writes there
        driver.GetSpec(vm.Id).Disk.Should().Be(overlay);
        (await new QemuImg().BackingFileAsync(overlay, Ct)).Should().Be(frozen, "the replay made no new overlay");
        var onto = () => driver.SwitchDiskAsync(vm.Id, frozen, Ct);
        (await onto.Should().ThrowAsync<DriverException>()).WithMessage("*already exists*");
    }

    [Fact]
    public async Task Recover_NewDriverOverSameDataDir_AdoptsRunningQemuWithoutRestartingIt()
    {
        RequireQemu();
        var host = HostId.New();
        var first = NewDriver("adopt", host: host);
        var vm = await BootAsync(first, "adopt");
        var pid = (await first.GetStateAsync(vm.Id, Ct)).Pid!.Value;

        await first.DisposeAsync(); // the agent goes away; QEMU must not
        ProcFs.IsAlive(pid).Should().BeTrue();
        var second = NewDriver("adopt", host: host);
        var recovered = await second.RecoverAsync(Ct);

        recovered.Should().ContainSingle().Which.Outcome.Should().Be(RecoveryOutcome.Adopted);
        var state = await second.GetStateAsync(vm.Id, Ct);
        state.State.Should().Be(QemuRunState.Running);
        state.Pid.Should().Be(pid);
        var now = LastHeartbeat(await second.ReadConsoleAsync(vm.Id, 64 * 1024, Ct));
        var console = await WaitForHeartbeatAboveAsync(second, vm.Id, now);
        Count(console, Ready).Should().Be(1, "the guest was never restarted");
        await second.StopAsync(vm.Id, Ct);
        ProcFs.IsAlive(pid).Should().BeFalse();
    }

    [Fact]
    public async Task Recover_QemuGone_ReportsStoppedAndStartBootsIt()
    {
        RequireQemu();
        var host = HostId.New();
        var first = NewDriver("gone", host: host);
        var vm = await BootAsync(first, "gone");
        var pid = (await first.GetStateAsync(vm.Id, Ct)).Pid!.Value;
        await first.DisposeAsync();
        QemuProcess.Kill(pid); // the node crashed under the VM, say

        var second = NewDriver("gone", host: host);
        for (var i = 0; i < 100 && ProcFs.IsAlive(pid); i++) await Task.Delay(50, Ct);
        var recovered = await second.RecoverAsync(Ct);

        recovered.Should().ContainSingle().Which.Outcome.Should().Be(RecoveryOutcome.Stopped);
        await second.StartAsync(vm.Id, Ct);
        await WaitForConsoleAsync(second, vm.Id, c => Count(c, Ready) == 2, "the ready marker after the restart");
    }

    /// <summary>Synchronous IProgress: Progress&lt;T&gt; posts to the thread pool and could report after the call returned.</summary>
    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (this) report(value);
        }
    }

    /// <summary>A destination whose QEMU dies right after it is prepared, so the source's migrate fails.</summary>
    private sealed class KillsDestinationAfterPrepare(QemuNodeDriver inner) : IMigrationTarget
    {
        public HostId Host => inner.Host;

        public async Task<string> PrepareIncomingAsync(QemuVmSpec spec, CancellationToken ct)
        {
            var uri = await inner.PrepareIncomingAsync(spec, ct);
            var pid = (await inner.GetStateAsync(spec.Id, ct)).Pid!.Value;
            QemuProcess.Kill(pid);
            for (var i = 0; i < 100 && ProcFs.IsAlive(pid); i++) await Task.Delay(20, ct);
            return uri;
        }

        public Task<string> PrepareIncomingWithDiskCopyAsync(QemuVmSpec spec, long diskVirtualSize, CancellationToken ct) =>
            inner.PrepareIncomingWithDiskCopyAsync(spec, diskVirtualSize, ct);

        public Task<string> StartIncomingMigrationAsync(VmId vm, CancellationToken ct) => inner.StartIncomingMigrationAsync(vm, ct);

        public Task CompleteIncomingAsync(VmId vm, CancellationToken ct) => inner.CompleteIncomingAsync(vm, ct);

        public Task AbortIncomingAsync(VmId vm, CancellationToken ct) => inner.AbortIncomingAsync(vm, ct);
    }
}
