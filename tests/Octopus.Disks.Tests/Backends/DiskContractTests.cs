using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Collection;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Backends;

/// <summary>The one contract every disk backend passes, driven through the services so the tree rules and the files
/// are checked together. Content is checked block by block (1 MiB blocks) through each backend's own reader.</summary>
public abstract class DiskContractTests : IDisposable
{
    protected static readonly ImageName Debian = ImageName.Parse("debian-12");
    private readonly TempFolder _temp = new();

    protected DiskContractTests() => Catalog = new InMemoryDiskCatalog();

    protected ManualTime Time { get; } = new();
    protected InMemoryDiskCatalog Catalog { get; }
    protected TempFolder Temp => _temp;
    protected abstract IDiskBackend Backend { get; }
    protected abstract Task WriteBlockAsync(DiskId disk, long block, byte value);
    protected abstract Task<bool> BlockIsAsync(DiskId disk, long block, byte value);

    protected DiskServices Services(int maxDepth = 16, TimeSpan? grace = null) =>
        DiskServices.Create(Catalog, Backend, Time, new DiskTreeOptions { MaxChainDepth = maxDepth, GracePeriod = grace ?? TimeSpan.FromHours(1) });

    /// <summary>Imports a 16 MiB raw image whose block 0 holds 0x5a.</summary>
    protected async Task<Disk> ImportDebianAsync(DiskServices s) =>
        await s.Tree.ImportImageAsync(Debian, Alice, RawImageFile(Temp.File("src"), mib: 16), DiskImageFormat.Raw);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) => _temp.Dispose();

    [Fact]
    public async Task ImportImage_RawFile_IsStandaloneImageWithSameContent()
    {
        var s = Services();
        var image = await ImportDebianAsync(s);

        image.Role.Should().Be(DiskRole.Image);
        image.Parent.Should().BeNull();
        image.VirtualSize.Bytes.Should().Be(16L * 1024 * 1024);
        (await Backend.InspectAsync(image.Id))!.Parent.Should().BeNull();
        (await BlockIsAsync(image.Id, 0, 0x5a)).Should().BeTrue();
    }

    [Fact]
    public async Task ImportImage_MissingFile_IsRejectedAndLeavesNothing()
    {
        var s = Services();
        var act = () => s.Tree.ImportImageAsync(Debian, Alice, Temp.File("nope.img"), DiskImageFormat.Raw);

        (await act.Should().ThrowAsync<DomainException>()).Which.Field.Should().Be("file");
        (await Catalog.LoadAsync()).Disks.Should().BeEmpty();
        (await Catalog.LoadAsync()).Intents.Should().BeEmpty();
        (await Backend.ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task CreateVmDisk_IsEmptyChildOfImage_NotACopy()
    {
        var s = Services();
        var image = await ImportDebianAsync(s);
        var vm = VmId.New();

        var disk = await s.Tree.CreateVmDiskAsync(vm, Bob, Debian);

        disk.Parent.Should().Be(image.Id);
        disk.Owner.Should().Be(Bob);
        (await Backend.ReadChainAsync(disk.Id)).Should().Equal(disk.Id, image.Id);
        disk.FileSize.Bytes.Should().BeLessThan(1024 * 1024, "a child records only its own writes, the image has 1 MiB of data");
        (await BlockIsAsync(disk.Id, 0, 0x5a)).Should().BeTrue();
    }

    [Fact]
    public async Task CreateVmDisk_BiggerThanImage_GuestSeesTheBiggerDisk_AndForkCanGrowAgain()
    {
        var s = Services();
        await ImportDebianAsync(s); // 16 MiB
        var vm = VmId.New();

        var disk = await s.Tree.CreateVmDiskAsync(vm, Alice, Debian, Domain.Units.ByteSize.FromMiB(64));
        var fork = await s.Tree.ForkAsync(vm, VmId.New(), Bob, Domain.Units.ByteSize.FromMiB(128));

        (await Backend.InspectAsync(disk.Id))!.VirtualSize.Should().Be(Domain.Units.ByteSize.FromMiB(64));
        (await Backend.InspectAsync(fork.SourceActive.Id))!.VirtualSize.Should().Be(Domain.Units.ByteSize.FromMiB(64));
        (await Backend.InspectAsync(fork.NewActive.Id))!.VirtualSize.Should().Be(Domain.Units.ByteSize.FromMiB(128));
        (await BlockIsAsync(fork.NewActive.Id, 0, 0x5a)).Should().BeTrue();
    }

    [Fact]
    public async Task CreateVmDisk_SmallerThanImage_IsRefusedAndLeavesNothing()
    {
        var s = Services();
        await ImportDebianAsync(s);

        var act = () => s.Tree.CreateVmDiskAsync(VmId.New(), Alice, Debian, Domain.Units.ByteSize.FromMiB(8));

        (await act.Should().ThrowAsync<DomainException>()).Which.Message.Should().Contain("can only grow");
        (await Backend.ListAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Fork_NewVmStartsFromSourceState_ThenWritesStayApart()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var src = VmId.New();
        var leaf = await s.Tree.CreateVmDiskAsync(src, Alice, Debian);
        await WriteBlockAsync(leaf.Id, 1, 0x11);

        var fork = await s.Tree.ForkAsync(src, VmId.New(), Bob);
        await WriteBlockAsync(fork.SourceActive.Id, 2, 0x22);
        await WriteBlockAsync(fork.NewActive.Id, 2, 0x33);

        fork.ForkPoint.Id.Should().Be(leaf.Id);
        fork.ForkPoint.Role.Should().Be(DiskRole.Interior);
        fork.SourceActive.Parent.Should().Be(leaf.Id);
        fork.NewActive.Parent.Should().Be(leaf.Id);
        (await BlockIsAsync(fork.NewActive.Id, 1, 0x11)).Should().BeTrue();
        (await BlockIsAsync(fork.SourceActive.Id, 2, 0x22)).Should().BeTrue();
        (await BlockIsAsync(fork.NewActive.Id, 2, 0x33)).Should().BeTrue();
        (await BlockIsAsync(fork.NewActive.Id, 0, 0x5a)).Should().BeTrue();
    }

    [Fact]
    public async Task SnapshotThenRevert_RestoresSnapshotContent()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var vm = VmId.New();
        var leaf = await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        await WriteBlockAsync(leaf.Id, 1, 0xa1);
        var snap = await s.Tree.SnapshotAsync(vm, Snap("before-upgrade"));
        var tree = (await Catalog.LoadAsync()).Tree();
        await WriteBlockAsync(tree.RequireActiveOf(vm).Id, 1, 0xb2);

        var reverted = await s.Tree.RevertAsync(vm, Snap("before-upgrade"));

        snap.Id.Should().Be(leaf.Id, "the leaf itself is frozen; no data moves");
        reverted.Parent.Should().Be(snap.Id);
        (await BlockIsAsync(reverted.Id, 1, 0xa1)).Should().BeTrue();
        (await s.Queries.SnapshotsAsync(vm)).Single().Children.Single().IsCurrent.Should().BeTrue();
    }

    [Fact]
    public async Task Snapshot_NameTaken_IsRefused()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var vm = VmId.New();
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        await s.Tree.SnapshotAsync(vm, Snap("a"));

        var act = () => s.Tree.SnapshotAsync(vm, Snap("a"));

        (await act.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("snapshot.exists");
    }

    [Fact]
    public async Task DeleteImage_WhileSnapshotDependsOnIt_IsRefusedWithReason_ThenAllowed()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var vm = VmId.New();
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        await s.Tree.SnapshotAsync(vm, Snap("keep"));

        var refused = () => s.Tree.DeleteImageAsync(Debian);
        var error = (await refused.Should().ThrowAsync<DomainException>()).Which;
        error.Code.Should().Be("image.in-use");
        error.Message.Should().Contain("snapshot 'keep'").And.Contain("active disk of vm");

        await s.Tree.DeleteVmDiskAsync(vm);
        (await s.Tree.CheckImageDeleteAsync(Debian)).Allowed.Should().BeTrue();
        var deleted = await s.Tree.DeleteImageAsync(Debian);
        deleted.Role.Should().Be(DiskRole.Interior);
    }

    [Fact]
    public async Task ManySnapshots_ChainNeverPassesMaxDepth_AndEverySnapshotKeepsItsContent()
    {
        const int maxDepth = 4;
        var s = Services(maxDepth);
        await ImportDebianAsync(s);
        var vm = VmId.New();
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        for (var i = 1; i <= 9; i++)
        {
            var active = (await Catalog.LoadAsync()).Tree().RequireActiveOf(vm);
            await WriteBlockAsync(active.Id, i, (byte)(0x10 + i));
            await s.Tree.SnapshotAsync(vm, Snap($"s{i}"));
        }

        var tree = (await Catalog.LoadAsync()).Tree();
        tree.All.Max(d => tree.Depth(d.Id)).Should().BeLessThanOrEqualTo(maxDepth);
        tree.Violations().Should().BeEmpty();
        var leaf = tree.RequireActiveOf(vm);
        for (var i = 1; i <= 9; i++) (await BlockIsAsync(leaf.Id, i, (byte)(0x10 + i))).Should().BeTrue($"block {i} was written before s{i}");
        var s5 = tree.SnapshotOf(vm, Snap("s5"))!;
        (await BlockIsAsync(s5.Id, 5, 0x15)).Should().BeTrue();
        (await BlockIsAsync(s5.Id, 6, 0x16)).Should().BeFalse("s6's data came after s5");
        (await Backend.ReadChainAsync(leaf.Id)).Should().Equal([leaf.Id, .. tree.Ancestors(leaf.Id).Select(a => a.Id)]);
        // The user's snapshot tree still reads s1 → s2 → … → s9 → current, whatever the backing files skip.
        var node = (await s.Queries.SnapshotsAsync(vm)).Single();
        for (var i = 1; i <= 9; i++)
        {
            node.Name.Should().Be(Snap($"s{i}"));
            node = node.Children.Single();
        }
        node.IsCurrent.Should().BeTrue();
    }

    [Fact]
    public async Task Flattener_AfterLimitLowered_RebasesDeepDisks_WithoutChangingContent()
    {
        await ImportDebianAsync(Services());
        var vm = VmId.New();
        await Services().Tree.CreateVmDiskAsync(vm, Alice, Debian);
        for (var i = 1; i <= 6; i++)
        {
            await WriteBlockAsync((await Catalog.LoadAsync()).Tree().RequireActiveOf(vm).Id, i, (byte)i);
            await Services().Tree.SnapshotAsync(vm, Snap($"s{i}"));
        }
        await Services().Tree.DeleteSnapshotAsync(vm, Snap("s3"));

        var steps = await Services(maxDepth: 3).Flattener.FlattenAsync();

        steps.Should().NotBeEmpty();
        var tree = (await Catalog.LoadAsync()).Tree();
        tree.All.Max(d => tree.Depth(d.Id)).Should().BeLessThanOrEqualTo(3);
        var leaf = tree.RequireActiveOf(vm);
        for (var i = 1; i <= 6; i++) (await BlockIsAsync(leaf.Id, i, (byte)i)).Should().BeTrue();
        tree.SnapshotsOf(vm).Select(d => d.Name!.Value.Value).Should().BeEquivalentTo(["s1", "s2", "s4", "s5", "s6"]);
        foreach (var d in tree.All)
            (await Backend.InspectAsync(d.Id))!.Parent.Should().Be(d.Parent, $"the file of {d.Label} must agree with the catalog");
    }

    [Fact]
    public async Task Collect_DeletedVm_WaitsForGrace_ThenFreesItsFiles()
    {
        var s = Services(grace: TimeSpan.FromHours(1));
        await ImportDebianAsync(s);
        var keep = VmId.New();
        var gone = VmId.New();
        await s.Tree.CreateVmDiskAsync(keep, Alice, Debian);
        var goneLeaf = await s.Tree.CreateVmDiskAsync(gone, Alice, Debian);
        await WriteBlockAsync(goneLeaf.Id, 3, 0x77);
        await s.Tree.SnapshotAsync(gone, Snap("x"));
        await s.Tree.DeleteVmDiskAsync(gone);

        var early = await s.Collector.CollectAsync();
        Time.Advance(TimeSpan.FromMinutes(61));
        var dry = await s.Collector.CollectAsync(dryRun: true);
        var filesBefore = (await Backend.ListAsync()).Count;
        var real = await s.Collector.CollectAsync();

        early.Collected.Should().BeEmpty();
        early.Pending.Should().HaveCount(2, "the deleted leaf and its snapshot wait out the grace period");
        dry.Collected.Select(c => c.Id).Should().BeEquivalentTo(real.Collected.Select(c => c.Id));
        dry.BytesFreed.Bytes.Should().BeGreaterThan(1024 * 1024, "the deleted VM wrote 1 MiB");
        filesBefore.Should().Be(4, "a dry run deletes nothing");
        (await Backend.ListAsync()).Should().HaveCount(2);
        var tree = (await Catalog.LoadAsync()).Tree();
        tree.Count.Should().Be(2);
        tree.ActiveOf(keep).Should().NotBeNull();
        (await Catalog.LoadAsync()).Intents.Should().BeEmpty();
    }

    [Fact]
    public async Task Collect_FileUnknownToCatalog_IsDeletedOnlyAfterGrace()
    {
        var s = Services(grace: TimeSpan.FromHours(1));
        await ImportDebianAsync(s);
        var stray = DiskId.New();
        await Backend.CreateBaseAsync(stray, Domain.Units.ByteSize.FromMiB(4));

        var soon = await s.Collector.CollectAsync();
        Time.Advance(TimeSpan.FromDays(400)); // the qemu backend reads real mtimes, so jump well past them
        var later = await s.Collector.CollectAsync();

        soon.Pending.Should().ContainSingle(p => p.Id == stray && p.Reason == GcReason.OrphanFile);
        later.Collected.Should().ContainSingle(c => c.Id == stray && c.Reason == GcReason.OrphanFile);
        (await Backend.InspectAsync(stray)).Should().BeNull();
        (await Catalog.LoadAsync()).Disks.Should().ContainSingle("the image is reachable and stays");
    }

    [Fact]
    public async Task Collect_RowWhoseFileIsGone_IsReportedAndKept()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var vm = VmId.New();
        var leaf = await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        await Backend.DeleteAsync(leaf.Id);

        Time.Advance(TimeSpan.FromDays(2));
        var report = await s.Collector.CollectAsync();

        report.Missing.Should().ContainSingle(m => m.Disk.Id == leaf.Id && m.IsReachable);
        (await Catalog.LoadAsync()).Tree().Contains(leaf.Id).Should().BeTrue();
    }

    [Fact]
    public async Task Recovery_CreateInterruptedBeforeCommit_RemovesTheNewFile()
    {
        var s = Services();
        var image = await ImportDebianAsync(s);
        var half = DiskId.New();
        await Catalog.ApplyAsync(CatalogChange.BeginIntent(new DiskIntent(DiskIntentId.New(), DiskIntentKind.CreateFiles, "fork", Time.GetUtcNow(), [half])));
        await Backend.CreateChildAsync(half, image.Id);

        var recovered = await Services().Recovery.RecoverAsync();

        recovered.Should().ContainSingle(r => r.Outcome == RecoveryOutcome.RolledBack);
        (await Backend.InspectAsync(half)).Should().BeNull();
        (await Backend.InspectAsync(image.Id)).Should().NotBeNull();
        (await Catalog.LoadAsync()).Intents.Should().BeEmpty();
    }

    [Fact]
    public async Task Verify_FileBacksOntoAnotherDisk_IsReported()
    {
        var s = Services();
        var image = await ImportDebianAsync(s);
        var vm = VmId.New();
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        await s.Tree.SnapshotAsync(vm, Snap("a"));
        (await s.Recovery.VerifyAsync()).Should().BeEmpty();

        // Someone rebased a file by hand behind the catalog's back.
        var leaf = (await Catalog.LoadAsync()).Tree().RequireActiveOf(vm);
        await Backend.RebaseAsync(leaf.Id, image.Id);

        (await s.Recovery.VerifyAsync()).Should().ContainSingle(p => p.Disk == leaf.Id).Which.Problem.Should().Contain("backs onto");
    }

    [Fact]
    public async Task Delete_Twice_IsHarmless()
    {
        var id = DiskId.New();
        await Backend.CreateBaseAsync(id, Domain.Units.ByteSize.FromMiB(1));
        await Backend.DeleteAsync(id);
        await Backend.DeleteAsync(id);
        (await Backend.ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task TreeView_SaysWhatKeepsEachDiskAlive()
    {
        var s = Services();
        var image = await ImportDebianAsync(s);
        var a = VmId.New();
        await s.Tree.CreateVmDiskAsync(a, Alice, Debian);
        await s.Tree.SnapshotAsync(a, Snap("s1"));
        await s.Tree.DeleteSnapshotAsync(a, Snap("s1"));

        var view = await s.Queries.TreeAsync();

        view.DiskCount.Should().Be(3);
        var root = view.Roots.Single();
        root.Disk.Id.Should().Be(image.Id);
        root.KeptAliveBy.Should().Contain(k => k.StartsWith("is the image", StringComparison.Ordinal));
        var interior = root.Children.Single();
        interior.Disk.Role.Should().Be(DiskRole.Interior);
        interior.KeptAliveBy.Should().ContainSingle().Which.Should().StartWith("active disk of vm");
        view.TotalSize.Should().Be(root.SubtreeSize);
        root.FileMissing.Should().BeFalse();
        root.FileSize.Bytes.Should().BeGreaterThan(1024 * 1024, "the image holds 1 MiB of data");
    }
}
