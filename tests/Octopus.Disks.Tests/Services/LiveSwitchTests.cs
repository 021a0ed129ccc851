using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Services;

/// <summary>Snapshots and forks of running VMs: the driver (faked here) makes the VM's new leaf between the journal entry
/// and the commit. A failing driver changes nothing; a crash at any step is recovered so that the catalog's active disk
/// is the one the VM really writes to.</summary>
public sealed class LiveSwitchTests : IDisposable
{
    private static readonly ImageName Debian = ImageName.Parse("debian-12");
    private readonly TempFolder _temp = new();
    private readonly ManualTime _time = new();
    private readonly InMemoryDiskCatalog _catalog = new();
    private readonly SimulatedDiskBackend _backend;
    private readonly VmId _vm = VmId.New();

    public LiveSwitchTests() => _backend = new SimulatedDiskBackend(_time);

    public void Dispose() => _temp.Dispose();

    /// <summary>A running VM as its hypervisor sees it: the file it writes to. The switch creates the new leaf over it.</summary>
    private sealed class FakeVm(IDiskBackend backend, DiskId disk)
    {
        public DiskId Disk { get; private set; } = disk;
        public Exception? Fail { get; set; }
        public CrashSwitch? Crash { get; set; }

        public async Task SwitchAsync(DiskId next, CancellationToken ct)
        {
            Crash?.Step("driver switch");
            if (Fail is not null) throw Fail;
            await backend.CreateChildAsync(next, Disk, null, ct);
            Disk = next;
        }
    }

    private DiskServices Services(IDiskCatalog? catalog = null, IDiskBackend? backend = null) =>
        DiskServices.Create(catalog ?? _catalog, backend ?? _backend, _time);

    private async Task<FakeVm> RunningVmAsync()
    {
        var s = Services();
        await s.Tree.ImportImageAsync(Debian, Alice, RawImageFile(_temp.File("src"), 2));
        var leaf = await s.Tree.CreateVmDiskAsync(_vm, Alice, Debian);
        _backend.Write(leaf.Id, 1, 0x11);
        return new FakeVm(_backend, leaf.Id);
    }

    [Fact]
    public async Task SnapshotLive_DriverSwitches_OldLeafIsTheSnapshotAndVmWritesOnlyToNewLeaf()
    {
        var vm = await RunningVmAsync();
        var old = vm.Disk;

        var snap = await Services().Tree.SnapshotLiveAsync(_vm, Snap("s1"), vm.SwitchAsync);

        snap.Id.Should().Be(old);
        snap.Role.Should().Be(DiskRole.Snapshot);
        var tree = (await _catalog.LoadAsync()).Tree();
        tree.ActiveOf(_vm)!.Id.Should().Be(vm.Disk, "the catalog's leaf is the file the VM writes to");
        tree.ActiveOf(_vm)!.Parent.Should().Be(old);
        (await _catalog.LoadAsync()).Intents.Should().BeEmpty();
        (await Services().Recovery.VerifyAsync()).Should().BeEmpty();
        _backend.Read(vm.Disk, 1).Should().Be(0x11, "the new leaf starts with the snapshot's content");
    }

    [Fact]
    public async Task ForkLive_DriverSwitches_SourceOnItsNewLeafAndForkOnASibling()
    {
        var vm = await RunningVmAsync();
        var old = vm.Disk;
        var newVm = VmId.New();

        var fork = await Services().Tree.ForkLiveAsync(_vm, newVm, Bob, null, vm.SwitchAsync);

        fork.ForkPoint.Id.Should().Be(old);
        fork.SourceActive.Id.Should().Be(vm.Disk);
        var tree = (await _catalog.LoadAsync()).Tree();
        tree.ActiveOf(newVm)!.Parent.Should().Be(old);
        tree.Get(old).Role.Should().Be(DiskRole.Interior);
        _backend.Read(fork.NewActive.Id, 1).Should().Be(0x11);
        (await Services().Recovery.VerifyAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task SnapshotLive_DriverThrows_CatalogUnchangedVmKeepsItsDiskErrorPassedOn()
    {
        var vm = await RunningVmAsync();
        var before = await _catalog.LoadAsync();
        vm.Fail = new InvalidOperationException("QMP: blockdev-snapshot-sync failed: No space left on device");

        var act = () => Services().Tree.SnapshotLiveAsync(_vm, Snap("s1"), vm.SwitchAsync);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*No space left on device*");
        var after = await _catalog.LoadAsync();
        after.Disks.Should().BeEquivalentTo(before.Disks);
        after.Intents.Should().BeEmpty();
        after.Tree().ActiveOf(_vm)!.Id.Should().Be(vm.Disk);
        (await _backend.ListAsync()).Select(f => f.Id).Should().BeEquivalentTo(before.Disks.Select(d => d.Id), "no file is left behind");
    }

    [Fact]
    public async Task ForkLive_DriverThrows_ForkChildRemovedAndCatalogUnchanged()
    {
        var vm = await RunningVmAsync();
        var before = await _catalog.LoadAsync();
        vm.Fail = new InvalidOperationException("VM is not running on this host");

        var act = () => Services().Tree.ForkLiveAsync(_vm, VmId.New(), Bob, null, vm.SwitchAsync);

        await act.Should().ThrowAsync<InvalidOperationException>();
        (await _catalog.LoadAsync()).Disks.Should().BeEquivalentTo(before.Disks);
        (await _backend.ListAsync()).Should().HaveCount(before.Disks.Count);
    }

    public static TheoryData<string, int> CrashPoints()
    {
        var data = new TheoryData<string, int>();
        foreach (var op in new[] { "snapshot", "fork" })
            for (var k = 0; k < 6; k++) data.Add(op, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task LiveOperation_CrashBeforeAnyStep_RecoveryMakesTheCatalogFollowTheVm(string operation, int crashAt)
    {
        var vm = await RunningVmAsync();
        var old = vm.Disk;
        var crash = new CrashSwitch { CrashAt = crashAt };
        vm.Crash = crash;
        var dying = Services(new FaultInjectingDiskCatalog(_catalog, crash), new FaultInjectingDiskBackend(_backend, crash));

        Func<Task> act = operation == "snapshot"
            ? () => dying.Tree.SnapshotLiveAsync(_vm, Snap("s1"), vm.SwitchAsync)
            : () => dying.Tree.ForkLiveAsync(_vm, VmId.New(), Bob, null, vm.SwitchAsync);
        try { await act(); } catch (SimulatedCrashException) { }

        var restarted = Services();
        var recovered = await restarted.Recovery.RecoverAsync();
        var tree = (await _catalog.LoadAsync()).Tree();
        tree.ActiveOf(_vm)!.Id.Should().Be(vm.Disk, $"after a crash before step {crashAt} ({string.Join(", ", crash.Log)}) the catalog follows the VM");
        tree.Violations().Should().BeEmpty();
        (await restarted.Recovery.VerifyAsync()).Should().BeEmpty();
        (await _catalog.LoadAsync()).Intents.Should().BeEmpty();
        if (vm.Disk != old && operation == "snapshot" && crash.Crashed)
        {
            recovered.Should().ContainSingle().Which.Outcome.Should().Be(RecoveryOutcome.RolledForward);
            tree.SnapshotOf(_vm, Snap("s1"))!.Id.Should().Be(old, "the interrupted snapshot is kept under its name");
        }
        var files = (await _backend.ListAsync()).Select(f => f.Id).ToHashSet();
        files.Should().BeEquivalentTo(tree.All.Select(d => d.Id), "no orphan file and no missing file");
        // The operation can be done again on the recovered tree.
        vm.Crash = null;
        await restarted.Tree.SnapshotLiveAsync(_vm, Snap("again"), vm.SwitchAsync);
        (await _catalog.LoadAsync()).Tree().ActiveOf(_vm)!.Id.Should().Be(vm.Disk);
    }

    [Fact]
    public async Task JsonCatalog_LiveSwitchIntent_SurvivesARoundTrip()
    {
        var path = _temp.File("disks.json");
        var catalog = new JsonFileDiskCatalog(path);
        var step = new LiveSwitchStep(_vm, DiskId.New(), DiskId.New(), Snap("s1"));
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.LiveSwitch, "live snapshot", T0, [step.To], LiveSwitch: step);

        await catalog.ApplyAsync(CatalogChange.BeginIntent(intent));

        (await new JsonFileDiskCatalog(path).LoadAsync()).Intents.Should().ContainSingle().Which.Should().BeEquivalentTo(intent);
    }
}
