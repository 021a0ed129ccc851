using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Contract.Tests;

/// <summary>What every <see cref="INodeDriver"/> promises, run against each driver by a derived class: every call is
/// idempotent (the operation runner replays steps after a crash), deleting an unknown VM succeeds, suspend/resume, disk
/// switch, migration between two nodes of the same driver (prepare, migrate, replay, compensation), console, observation.
/// A derived class gives two nodes and specs those nodes can boot.</summary>
public abstract class NodeDriverContractTests : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two nodes of the driver under test, on different hosts.</summary>
    protected INodeDriver A { get; private set; } = null!;
    protected INodeDriver B { get; private set; } = null!;
    protected HostId HostA { get; private set; }
    protected HostId HostB { get; private set; }

    /// <summary>Why the driver cannot run here (e.g. QEMU missing), or null.</summary>
    protected virtual string? SkipReason => null;

    protected abstract Task<(INodeDriver A, HostId HostA, INodeDriver B, HostId HostB)> StartNodesAsync();

    /// <summary>A complete spec of a new VM both nodes can run (its disk in place).</summary>
    protected abstract Task<VmRuntimeSpec> NewSpecAsync(string name);

    /// <summary>An absolute path where a disk switch of <paramref name="vm"/> may create its new leaf.</summary>
    protected abstract string NewDiskPath(VmRuntimeSpec vm);

    /// <summary>Waits until the guest has booted far enough to print to its console and obey the power button.</summary>
    protected virtual Task WaitUntilBootedAsync(INodeDriver node, VmId vm) => Task.CompletedTask;

    public virtual async ValueTask InitializeAsync()
    {
        if (SkipReason is not null) return;
        (A, HostA, B, HostB) = await StartNodesAsync();
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void RequireDriver()
    {
        if (SkipReason is { } why) Assert.Skip(why);
    }

    private static async Task<VmObservation?> SeenAsync(INodeDriver node, VmId vm) =>
        (await node.ObserveAsync(Ct)).Vms.SingleOrDefault(v => v.Vm == vm);

    private async Task<VmRuntimeSpec> BootAsync(INodeDriver node, string name)
    {
        var spec = await NewSpecAsync(name);
        await node.CreateAsync(spec, Ct);
        await WaitUntilBootedAsync(node, spec.Id);
        return spec;
    }

    [Fact]
    public async Task Lifecycle_EveryCallTwice_SameOutcomeAsOnce()
    {
        RequireDriver();
        var spec = await BootAsync(A, "twice");
        await A.CreateAsync(spec, Ct);
        (await SeenAsync(A, spec.Id)).Should().BeEquivalentTo(new { Running = true, Suspended = false }, "a replayed create leaves the VM running");
        await A.StartAsync(spec, Ct);
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue();

        await A.SuspendAsync(spec.Id, Ct);
        await A.SuspendAsync(spec.Id, Ct);
        (await SeenAsync(A, spec.Id)).Should().BeEquivalentTo(new { Running = true, Suspended = true });
        await A.ResumeAsync(spec.Id, Ct);
        await A.ResumeAsync(spec.Id, Ct);
        (await SeenAsync(A, spec.Id)).Should().BeEquivalentTo(new { Running = true, Suspended = false });

        await A.RebootAsync(spec.Id, Ct);
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue("a reset guest boots again");
        await WaitUntilBootedAsync(A, spec.Id);

        await A.StopAsync(spec.Id, Ct);
        await A.StopAsync(spec.Id, Ct);
        (await SeenAsync(A, spec.Id)).Should().BeEquivalentTo(new { Running = false }, "a stopped VM stays defined on its node");
        var suspendStopped = () => A.SuspendAsync(spec.Id, Ct);
        await suspendStopped.Should().ThrowAsync<DriverException>("only a running VM can be suspended");
        var rebootStopped = () => A.RebootAsync(spec.Id, Ct);
        await rebootStopped.Should().ThrowAsync<DriverException>();

        await A.StartAsync(spec, Ct);
        await A.StartAsync(spec, Ct);
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue();

        await A.DeleteAsync(spec.Id, Ct);
        await A.DeleteAsync(spec.Id, Ct);
        (await SeenAsync(A, spec.Id)).Should().BeNull("a deleted VM is gone from its node");
    }

    [Fact]
    public async Task UnknownVm_RefusedWithAReason_ExceptDeleteAndMigrate()
    {
        RequireDriver();
        var vm = VmId.New();

        await A.DeleteAsync(vm, Ct);
        (await A.MigrateAsync(vm, new MigrationTarget(HostB, "nowhere"), null, Ct)).Should().Be(MigrationStats.Unknown,
            "a source that no longer holds the VM answers a replayed migrate as done");
        foreach (var call in new Func<Task>[]
                 {
                     () => A.StopAsync(vm, Ct), () => A.RebootAsync(vm, Ct), () => A.SuspendAsync(vm, Ct), () => A.ResumeAsync(vm, Ct),
                     () => A.ReadConsoleAsync(vm, 1024, Ct), () => A.SwitchDiskAsync(vm, "/nowhere/new.qcow2", Ct),
                 })
        {
            (await call.Should().ThrowAsync<DriverException>()).Which.Message.Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public async Task SwitchDisk_Twice_OneSwitchAndTheVmKeepsRunning()
    {
        RequireDriver();
        var spec = await BootAsync(A, "switch");
        var leaf = NewDiskPath(spec);

        await A.SwitchDiskAsync(spec.Id, leaf, Ct);
        await A.SwitchDiskAsync(spec.Id, leaf, Ct);

        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue("a live switch does not stop the guest");
        var back = () => A.SwitchDiskAsync(spec.Id, spec.Disks[0].ActivePath, Ct);
        await back.Should().ThrowAsync<DriverException>("the frozen disk is not a new file; writing to it again would corrupt the snapshot");
        await A.DeleteAsync(spec.Id, Ct);
    }

    [Fact]
    public async Task Migrate_PreparedTwice_MovesTheVmOnce_AndAReplayIsDone()
    {
        RequireDriver();
        var spec = await BootAsync(A, "move");
        var progress = new List<double>();

        var target = await B.PrepareIncomingAsync(spec, Ct);
        (await B.PrepareIncomingAsync(spec, Ct)).Should().Be(target, "a replayed prepare returns the VM already waiting");
        (await SeenAsync(B, spec.Id)).Should().BeNull("a VM still waiting to arrive is not the destination's yet");
        await A.MigrateAsync(spec.Id, target, new SyncProgress(progress.Add), Ct);

        (await SeenAsync(A, spec.Id)).Should().BeNull("the VM left its source");
        (await SeenAsync(B, spec.Id))!.Running.Should().BeTrue("it runs on the destination");
        progress.Should().NotBeEmpty().And.BeInAscendingOrder();
        (await A.MigrateAsync(spec.Id, target, null, Ct)).Should().Be(MigrationStats.Unknown, "a replay after the hand-over is done");
        (await SeenAsync(B, spec.Id))!.Running.Should().BeTrue();
        await B.DeleteAsync(spec.Id, Ct);
    }

    [Fact]
    public async Task Migrate_DestinationForgetsTheWaitingVm_SourceKeepsItRunning()
    {
        RequireDriver();
        var spec = await BootAsync(A, "stay");
        var target = await B.PrepareIncomingAsync(spec, Ct);

        await B.DeleteAsync(spec.Id, Ct); // the compensation of prepare
        var migrate = () => A.MigrateAsync(spec.Id, target, null, Ct);

        await migrate.Should().ThrowAsync<DriverException>("nobody waits for the VM any more");
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue("a failed migration leaves the VM running on its source");
        (await SeenAsync(B, spec.Id)).Should().BeNull();
        await A.DeleteAsync(spec.Id, Ct);
    }

    [Fact]
    public async Task ConsoleAndObserve_BootOutputAndOnlyThisNodesVms()
    {
        RequireDriver();
        var spec = await BootAsync(A, "talk");

        var text = await A.ReadConsoleAsync(spec.Id, 64 * 1024, Ct);
        text.Should().NotBeEmpty("a booted guest printed to its serial console");
        (await A.ReadConsoleAsync(spec.Id, 16, Ct)).Length.Should().BeLessThanOrEqualTo(16);
        var a = await A.ObserveAsync(Ct);
        a.Host.Should().Be(HostA);
        a.Power.Should().Be(HostPowerState.On);
        a.CpuLoad.Should().BeInRange(0, 1);
        var seen = a.Vms.Should().ContainSingle(v => v.Vm == spec.Id).Which;
        seen.CpuLoad.Should().BeInRange(0, 1);
        // What the telemetry history graphs: memory in use, and disk and network rates that are never negative.
        seen.Figures.Should().NotBeNull("a running VM's node measures its memory and I/O");
        seen.Figures!.MemoryBytes.Should().BePositive();
        new[] { seen.Figures.DiskReadBytesPerSecond, seen.Figures.DiskWriteBytesPerSecond, seen.Figures.NetReceiveBytesPerSecond,
            seen.Figures.NetTransmitBytesPerSecond }.Should().OnlyContain(r => r >= 0);
        (await B.ObserveAsync(Ct)).Vms.Should().NotContain(v => v.Vm == spec.Id, "another node does not see this node's VMs");
        await A.DeleteAsync(spec.Id, Ct);
    }

    /// <summary>Gets the guest's serial port to a shell prompt (e.g. logs in); by default it is there already.</summary>
    protected virtual Task SerialLoginAsync(Stream serial) => Task.CompletedTask;

    private ISerialConsoleDriver SerialOf(INodeDriver node)
    {
        RequireDriver();
        if (node is not ISerialConsoleDriver serial) Assert.Skip($"the {node.Name} driver has no interactive serial console");
        return (ISerialConsoleDriver)node;
    }

    /// <summary>Reads until <paramref name="expected"/> was printed (10 s at most); returns everything read.</summary>
    protected static async Task<string> ReadUntilAsync(Stream serial, string expected)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var seen = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            int n;
            try { n = await serial.ReadAsync(buffer, timeout.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"the serial console never printed '{expected}'; it printed: {seen}"); }
            if (n == 0) throw new EndOfStreamException($"the serial console ended before printing '{expected}'; it printed: {seen}");
            seen.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }
        return seen.ToString();
    }

    [Fact]
    public async Task Serial_TypedCommand_ReachesTheGuestAndItsOutputComesBack()
    {
        var serial = SerialOf(A);
        var spec = await BootAsync(A, "serial");
        await using (var session = await serial.OpenSerialAsync(spec.Id, "contract", Ct))
        {
            await SerialLoginAsync(session);
            var marker = "contract-" + Guid.NewGuid().ToString("N")[..8];
            await session.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"echo {marker}\r"), Ct);
            // The tty echoes the command line, then the command prints the marker on a line of its own.
            await ReadUntilAsync(session, $"\n{marker}\r\n");
        }
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue("closing a console never touches the VM");
        await A.DeleteAsync(spec.Id, Ct);
    }

    [Fact]
    public async Task Serial_VmStops_SessionEnds_AndAStoppedOrUnknownVmIsRefused()
    {
        var serial = SerialOf(A);
        var spec = await BootAsync(A, "serial-stop");
        await using (var session = await serial.OpenSerialAsync(spec.Id, "contract", Ct))
        {
            await A.StopAsync(spec.Id, Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var buffer = new byte[4096];
            while (await session.ReadAsync(buffer, timeout.Token) > 0) { }
        }
        await FluentActions.Awaiting(() => serial.OpenSerialAsync(spec.Id, "contract", Ct)).Should().ThrowAsync<DriverException>("a stopped VM has no one to talk to");
        await FluentActions.Awaiting(() => serial.OpenSerialAsync(VmId.New(), "contract", Ct)).Should().ThrowAsync<DriverException>();
        await A.DeleteAsync(spec.Id, Ct);
    }

    [Fact]
    public async Task Screen_SpeaksRfbFromItsFirstByte_AndAStoppedVmIsRefused()
    {
        RequireDriver();
        if (A is not IGraphicalConsoleDriver) Assert.Skip($"the {A.Name} driver has no screen");
        var spec = await BootAsync(A, "screen");
        await using (var session = await ((IGraphicalConsoleDriver)A).OpenGraphicalAsync(spec.Id, "contract", Ct))
        {
            var banner = new byte[12];
            await session.ReadExactlyAsync(banner, Ct);
            System.Text.Encoding.ASCII.GetString(banner).Should().Be("RFB 003.008\n");
        }
        (await SeenAsync(A, spec.Id))!.Running.Should().BeTrue("closing a screen never touches the VM");
        await A.StopAsync(spec.Id, Ct);
        await FluentActions.Awaiting(() => ((IGraphicalConsoleDriver)A).OpenGraphicalAsync(spec.Id, "contract", Ct)).Should().ThrowAsync<DriverException>("a stopped VM has no screen");
        await A.DeleteAsync(spec.Id, Ct);
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
