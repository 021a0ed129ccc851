using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
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

    /// <summary>Counts the rows read from the <c>Disks</c> and <c>DiskIntents</c> tables (EF's <c>ReadCount</c> is the
    /// reader's <c>Read()</c> calls: n rows count n + 1) by the contexts of one factory.</summary>
    private sealed class CountingContexts(IDbContextFactory<OctopusDbContext> inner) : DbCommandInterceptor, IDbContextFactory<OctopusDbContext>
    {
        public int CatalogReads;

        public OctopusDbContext CreateDbContext()
        {
            using var plain = inner.CreateDbContext();
            return new OctopusDbContext(new DbContextOptionsBuilder<OctopusDbContext>(
                (DbContextOptions<OctopusDbContext>)plain.GetService<IDbContextOptions>()).AddInterceptors(this).Options);
        }

        public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (command.CommandText.Contains("FROM \"Disks\"", StringComparison.Ordinal) || command.CommandText.Contains("FROM \"DiskIntents\"", StringComparison.Ordinal))
                Interlocked.Add(ref CatalogReads, eventData.ReadCount);
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task Load_NothingChangedSinceTheLastLoad_ReadsNoDiskRows()
    {
        var counted = new CountingContexts(_store.Contexts);
        var catalog = new StoreDiskCatalog(counted);
        await catalog.ApplyAsync(new CatalogChange { Upserts = [Image("a"), Image("b")] });
        var first = await catalog.LoadAsync();
        counted.CatalogReads = 0;

        var second = await catalog.LoadAsync();

        counted.CatalogReads.Should().Be(0, "the generation row says the copy read last is still the stored catalog");
        second.Disks.Should().BeEquivalentTo(first.Disks);
    }

    [Fact]
    public async Task Load_AfterItsOwnChange_ReadsNoDiskRowsAndMatchesTheStore()
    {
        var counted = new CountingContexts(_store.Contexts);
        var catalog = new StoreDiskCatalog(counted);
        var image = Image();
        var vm = VmId.New();
        await catalog.ApplyAsync(new CatalogChange { Upserts = [image] });
        var read = (await catalog.LoadAsync()).Disks.Single();
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.CreateFiles, "create disk", T0, [DiskId.New()]);
        var leaf = Disk.NewActive(DiskId.New(), read, vm, read.Owner, T0);
        counted.CatalogReads = 0;

        await catalog.ApplyAsync(CatalogChange.BeginIntent(intent));
        await catalog.ApplyAsync(new CatalogChange { Upserts = [leaf, read.MarkUnreachable(T0)], End = intent.Id });
        await catalog.ApplyAsync(new CatalogChange { Begin = intent with { Id = DiskIntentId.New() } });
        var cached = await catalog.LoadAsync();

        counted.CatalogReads.Should().Be(0, "each change was applied to the copy as the store applied it");
        var stored = await new StoreDiskCatalog(_store.OtherProcess()).LoadAsync();
        cached.Disks.Should().BeEquivalentTo(stored.Disks, "versions raised as the store raised them");
        cached.Disks.Single(d => d.Id == image.Id).Version.Should().Be(2);
        cached.Intents.Should().BeEquivalentTo(stored.Intents).And.ContainSingle();
    }

    [Fact]
    public async Task Load_AnotherProcessChangedTheCatalog_ReadsTheRowsAgain()
    {
        var image = Image();
        var one = new StoreDiskCatalog(_store.Contexts);
        var two = new StoreDiskCatalog(_store.OtherProcess());
        await one.ApplyAsync(new CatalogChange { Upserts = [image] });
        var seenByTwo = (await two.LoadAsync()).Disks.Single();
        (await one.LoadAsync()).Disks.Should().ContainSingle();

        await two.ApplyAsync(new CatalogChange { Upserts = [seenByTwo.MarkUnreachable(T0), Image("b")] });
        var afterOne = await one.LoadAsync();

        afterOne.Disks.Should().HaveCount(2, "the other process's change raised the generation past one's copy");
        afterOne.Disks.Single(d => d.Id == image.Id).Should().BeEquivalentTo(seenByTwo.MarkUnreachable(T0) with { Version = 2 });
        // one's stale reading of the image is still refused: the copy never stands in for the version check.
        var act = async () => await one.ApplyAsync(new CatalogChange { Upserts = [seenByTwo.Release()] });
        (await act.Should().ThrowAsync<DomainException>()).Which.Kind.Should().Be(ErrorKind.Conflict);
        (await one.LoadAsync()).Disks.Single(d => d.Id == image.Id).Role.Should().Be(DiskRole.Image);
    }

    [Fact]
    public async Task Apply_AnotherProcessWroteBetweenTwoOwnChanges_NextLoadReadsTheRows()
    {
        var counted = new CountingContexts(_store.Contexts);
        var one = new StoreDiskCatalog(counted);
        var two = new StoreDiskCatalog(_store.OtherProcess());
        await one.ApplyAsync(new CatalogChange { Upserts = [Image("a")] });
        await one.LoadAsync();
        await two.ApplyAsync(new CatalogChange { Upserts = [Image("b")] });

        await one.ApplyAsync(new CatalogChange { Upserts = [Image("c")] });
        counted.CatalogReads = 0;
        var after = await one.LoadAsync();

        counted.CatalogReads.Should().BeGreaterThan(0, "one's copy missed two's change, so it was dropped");
        after.Disks.Select(d => d.Image!.Value.Value).Should().BeEquivalentTo(["a", "b", "c"]);
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
