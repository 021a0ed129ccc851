using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Octopus.Application.Control;
using Octopus.Domain.Operations;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>What the leader observes while it runs things — a migration's progress and cost, each VM's CPU load and
/// history — is kept in the store, so another process on the same store (a follower answering a request, the next
/// leader) reads the same figures.</summary>
public sealed class ObservedFiguresStoreTests
{
    public static TheoryData<TestStoreKind> Kinds => [TestStoreKind.Sqlite, TestStoreKind.Postgres];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task MigrationFigures_WrittenByTheRunner_AreReadByAnotherProcess(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var op = Operation.Begin(OperationKind.MigrateVm, null, null, "test", DateTimeOffset.UtcNow);
        await using (var db = await store.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            db.Operations.Add(op);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var runner = new OperationProgressStore(store.Contexts, TimeProvider.System, NullLogger<OperationProgressStore>.Instance);
        var follower = new OperationProgressStore(store.OtherProcess(), TimeProvider.System, NullLogger<OperationProgressStore>.Instance);
        (await follower.GetAsync(op.Id, TestContext.Current.CancellationToken)).Should().BeNull("nothing was recorded yet");

        var reporter = await runner.BeginAsync(op.Id, TestContext.Current.CancellationToken);
        (await follower.GetAsync(op.Id, TestContext.Current.CancellationToken))!.Progress.Should().Be(0);
        reporter.Report(0.25);
        reporter.Report(0.6);
        reporter.Report(0.4); // never goes back
        var seen = await UntilAsync(() => follower.GetAsync(op.Id, TestContext.Current.CancellationToken), f => f?.Progress == 0.6);
        seen!.EndedAt.Should().BeNull();

        reporter.Report(new MigrationStats(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(42)));
        await runner.EndAsync(reporter, succeeded: true, TestContext.Current.CancellationToken);
        var ended = await follower.GetAsync(op.Id, TestContext.Current.CancellationToken);
        ended!.Progress.Should().Be(1);
        ended.EndedAt.Should().NotBeNull();
        ended.Total.Should().Be(TimeSpan.FromSeconds(3));
        ended.Downtime.Should().Be(TimeSpan.FromMilliseconds(42));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task VmLoads_PersistedByTheLeader_AreReadByAnotherProcess_AndSeedTheNextLeader(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var owner = User.Create(UserName.Parse("ann"), UserRole.User, "x", Quota.Unlimited, DateTimeOffset.UtcNow);
        var geometry = Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(1), ImageName.Parse("debian-12"));
        var keep = Vm.Create(VmName.Parse("keep"), owner.Id, geometry, DateTimeOffset.UtcNow);
        var gone = Vm.Create(VmName.Parse("gone"), owner.Id, geometry, DateTimeOffset.UtcNow);
        await using (var db = await store.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            db.Users.Add(owner);
            db.Vms.AddRange(keep, gone);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var leader = new TelemetryCache();
        var now = DateTimeOffset.UtcNow;
        leader.Set(keep.Id, 0.5);
        leader.Set(gone.Id, 0.9);
        leader.CloseInterval();
        leader.Set(keep.Id, 0.25);
        leader.CloseInterval();
        await using (var db = await store.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
            (await leader.PersistAsync(db, now, TestContext.Current.CancellationToken)).Should().BeTrue();
        leader.PersistDue(now + TelemetryCache.PersistEvery / 2).Should().BeFalse();
        leader.PersistDue(now + TelemetryCache.PersistEvery).Should().BeTrue();

        leader.Forget([keep.Id]); // "gone" is no longer observed: its row goes at the next write
        await using (var db = await store.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
            await leader.PersistAsync(db, now, TestContext.Current.CancellationToken);

        await using var other = await store.OtherProcess().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var read = await TelemetryCache.ReadAsync(other, null, TestContext.Current.CancellationToken);
        read.Keys.Should().Equal(keep.Id);
        read[keep.Id].Load.Should().Be(0.25);
        read[keep.Id].History.Should().Equal(0.5, 0.25);

        var next = new TelemetryCache();
        await next.LoadAsync(other, TestContext.Current.CancellationToken);
        next.VmLoad(keep.Id).Should().Be(0.25);
        next.History(keep.Id).Should().Equal(0.5, 0.25);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task VmLoads_Persisted_WritesOnlyTheRowsThatChanged(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var owner = User.Create(UserName.Parse("ann"), UserRole.User, "x", Quota.Unlimited, DateTimeOffset.UtcNow);
        var geometry = Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(1), ImageName.Parse("debian-12"));
        var vms = Enumerable.Range(0, 3).Select(i => Vm.Create(VmName.Parse($"v{i}"), owner.Id, geometry, DateTimeOffset.UtcNow)).ToList();
        await using (var db = await store.Contexts.CreateDbContextAsync(ct))
        {
            db.Users.Add(owner);
            db.Vms.AddRange(vms);
            await db.SaveChangesAsync(ct);
        }
        var leader = new TelemetryCache();
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        foreach (var vm in vms) leader.Set(vm.Id, 0.5);
        await using (var db = await store.Contexts.CreateDbContextAsync(ct)) (await leader.PersistAsync(db, t0, ct)).Should().BeTrue();

        // v0 moves by less than a point (not written), v1 by 30 points (written); at the next write v2's history gains
        // an interval (written, load unchanged).
        leader.Set(vms[0].Id, 0.504);
        leader.Set(vms[1].Id, 0.8);
        await using (var db = await store.Contexts.CreateDbContextAsync(ct)) (await leader.PersistAsync(db, t0.AddSeconds(5), ct)).Should().BeTrue();
        await using (var db = await store.OtherProcess().CreateDbContextAsync(ct))
        {
            var read = await TelemetryCache.ReadAsync(db, null, ct);
            read[vms[0].Id].Should().BeEquivalentTo(new { Load = 0.5, ObservedAt = t0 }, "a load within a point of the stored one is not written again");
            read[vms[1].Id].Should().BeEquivalentTo(new { Load = 0.8, ObservedAt = t0.AddSeconds(5) });
            read[vms[2].Id].ObservedAt.Should().Be(t0);
        }

        leader.CloseInterval();
        await using (var db = await store.Contexts.CreateDbContextAsync(ct)) (await leader.PersistAsync(db, t0.AddSeconds(10), ct)).Should().BeTrue();
        await using (var db = await store.OtherProcess().CreateDbContextAsync(ct))
        {
            var read = await TelemetryCache.ReadAsync(db, null, ct);
            read.Values.Should().OnlyContain(r => r.ObservedAt == t0.AddSeconds(10) && r.History.Count == 1, "every history gained the closed interval");
            read[vms[0].Id].Load.Should().Be(0.504);
        }

        // Another process removed a row under this one: the save fails once, and the next one writes from the store's rows.
        await using (var db = await store.OtherProcess().CreateDbContextAsync(ct))
        {
            db.VmLoads.Remove(await db.VmLoads.SingleAsync(r => r.VmId == vms[1].Id, ct));
            await db.SaveChangesAsync(ct);
        }
        leader.Set(vms[1].Id, 0.1);
        await using (var db = await store.Contexts.CreateDbContextAsync(ct)) (await leader.PersistAsync(db, t0.AddSeconds(15), ct)).Should().BeFalse();
        await using (var db = await store.Contexts.CreateDbContextAsync(ct)) (await leader.PersistAsync(db, t0.AddSeconds(20), ct)).Should().BeTrue();
        await using (var db = await store.OtherProcess().CreateDbContextAsync(ct))
            (await TelemetryCache.ReadAsync(db, null, ct))[vms[1].Id].Load.Should().Be(0.1);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(50);
        }
    }
}
