using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence.Disks;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>The disk catalog in the store (real SQLite, migrated): atomic changes, versions, two writers.</summary>
public class StoreDiskCatalogTests : IDisposable
{
    /// <summary>The store the tests run on: null for the default (SQLite, or <c>OCTOPUS_TEST_STORE</c>);
    /// <see cref="StoreDiskCatalogTestsOnPostgres"/> runs them all on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public StoreDiskCatalogTests() : this(null) { }

    protected StoreDiskCatalogTests(TestStoreKind? store)
    {
        Store = store;
        _store = TestStore.Create(store);
    }

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestStore _store;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _store.Dispose();
    }

    private static Disk Image(string name = "debian-12") =>
        Disk.NewImage(DiskId.New(), ImageName.Parse(name), UserId.New(), ByteSize.FromGiB(2), new ByteSize(4096), T0);

    [Fact]
    public async Task Apply_ThenReopen_ReadsBackEveryFieldAtVersionOne()
    {
        var image = Image();
        var vm = VmId.New();
        var cp = Disk.NewActive(DiskId.New(), image, vm, image.Owner, T0)
            .FreezeAsCheckpoint(SnapshotName.Parse("cp-1"), new CheckpointInfo("nightly", T0)).MarkUnreachable(T0.AddHours(1));
        var leaf = Disk.NewActive(DiskId.New(), cp, vm, image.Owner, T0) with { Origin = image.Id };
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.LiveSwitch, "snapshot", T0, [leaf.Id],
            LiveSwitch: new LiveSwitchStep(vm, cp.Id, leaf.Id, SnapshotName.Parse("s1")));

        await new StoreDiskCatalog(_store.Contexts).ApplyAsync(new CatalogChange { Upserts = [image, cp, leaf], Begin = intent });
        var back = await new StoreDiskCatalog(_store.OtherProcess()).LoadAsync();

        back.Disks.Should().BeEquivalentTo([image with { Version = 1 }, cp with { Version = 1 }, leaf with { Version = 1 }]);
        back.Intents.Should().ContainSingle().Which.Should().BeEquivalentTo(intent);
    }

    [Fact]
    public async Task Apply_StaleVersion_ConflictAndNothingOfTheChangeApplied()
    {
        var catalog = new StoreDiskCatalog(_store.Contexts);
        var (a, b) = (Image("a"), Image("b"));
        await catalog.ApplyAsync(new CatalogChange { Upserts = [a, b] });
        var read = (await catalog.LoadAsync()).Disks.ToDictionary(d => d.Id);
        await catalog.ApplyAsync(new CatalogChange { Upserts = [read[a.Id].MarkUnreachable(T0)] }); // version 1 → 2

        var stale = new CatalogChange
        {
            Upserts = [read[a.Id].Release(), read[b.Id].Release()], // a was read at version 1
            Begin = new DiskIntent(DiskIntentId.New(), DiskIntentKind.CreateFiles, "x", T0, []),
        };
        var act = async () => await catalog.ApplyAsync(stale);

        (await act.Should().ThrowAsync<DomainException>()).Which.Kind.Should().Be(ErrorKind.Conflict);
        var after = await catalog.LoadAsync();
        after.Disks.Should().OnlyContain(d => d.Role == DiskRole.Image, "b's change was part of the refused change");
        after.Intents.Should().BeEmpty();
        after.Disks.Single(d => d.Id == a.Id).Version.Should().Be(2);
    }

    [Fact]
    public async Task Apply_TwoProcessesDecideOnTheSameReading_SecondIsRefusedFirstStands()
    {
        var image = Image();
        await new StoreDiskCatalog(_store.Contexts).ApplyAsync(new CatalogChange { Upserts = [image] });
        var one = new StoreDiskCatalog(_store.Contexts);
        var two = new StoreDiskCatalog(_store.OtherProcess());
        var seenByOne = (await one.LoadAsync()).Disks.Single();
        var seenByTwo = (await two.LoadAsync()).Disks.Single();

        await one.ApplyAsync(new CatalogChange { Upserts = [seenByOne.MarkUnreachable(T0)] });
        var act = async () => await two.ApplyAsync(new CatalogChange { Upserts = [seenByTwo.Release()] });

        (await act.Should().ThrowAsync<DomainException>()).Which.Message.Should().Contain("changed by another writer").And.Contain("Retry");
        var stored = (await one.LoadAsync()).Disks.Single();
        stored.Role.Should().Be(DiskRole.Image, "the second writer's update was not applied over the first's");
        stored.UnreachableSince.Should().Be(T0);
    }

    [Fact]
    public async Task Apply_InsertOfAnIdAnotherWriterMade_IsAConflict()
    {
        var image = Image();
        await new StoreDiskCatalog(_store.Contexts).ApplyAsync(new CatalogChange { Upserts = [image] });

        var act = async () => await new StoreDiskCatalog(_store.OtherProcess()).ApplyAsync(new CatalogChange { Upserts = [image] });

        (await act.Should().ThrowAsync<DomainException>()).Which.Kind.Should().Be(ErrorKind.Conflict);
    }

    [Fact]
    public async Task DiskServices_OverTheStore_TreeOperationsAndRecoveryAfterRestart()
    {
        var time = TimeProvider.System;
        var backend = new SimulatedDiskBackend(time);
        var owner = UserId.New();
        var (vm, fork) = (VmId.New(), VmId.New());
        var disks = DiskServices.Create(new StoreDiskCatalog(_store.Contexts), backend, time);
        await disks.Tree.CreateBaseImageAsync(ImageName.Parse("debian-12"), owner, ByteSize.FromGiB(1));
        await disks.Tree.CreateVmDiskAsync(vm, owner, ImageName.Parse("debian-12"));
        await disks.Tree.SnapshotAsync(vm, SnapshotName.Parse("before"));
        await disks.Tree.ForkAsync(vm, fork, owner);
        await disks.Tree.RevertAsync(vm, SnapshotName.Parse("before"));
        await disks.Tree.DeleteSnapshotAsync(vm, SnapshotName.Parse("before"));

        // A restarted server: new services over the same store file.
        var again = DiskServices.Create(new StoreDiskCatalog(_store.OtherProcess()), backend, time);
        (await again.Recovery.RecoverAsync()).Should().BeEmpty();
        (await again.Recovery.VerifyAsync()).Should().BeEmpty();
        var tree = (await new StoreDiskCatalog(_store.Contexts).LoadAsync()).Tree();
        tree.Violations().Should().BeEmpty();
        tree.All.Count(d => d.Role == DiskRole.Active).Should().Be(2);
        await again.Tree.SnapshotAsync(fork, SnapshotName.Parse("later"));
    }
}

/// <summary>The disk catalog on PostgreSQL.</summary>
public sealed class StoreDiskCatalogTestsOnPostgres() : StoreDiskCatalogTests(TestStoreKind.Postgres);
