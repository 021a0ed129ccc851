using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Persistence;
using Octopus.Persistence.Sqlite;
using Octopus.Application.Configuration;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>SQLite's in-process write gate (<see cref="SqliteWriteGate"/>): this process's writers to one file queue for
/// its slot in memory (cancellable, woken at the holder's commit) instead of polling the file's lock, and every path
/// out of a write — commit, rollback, failure, cancellation, timeout — leaves the slot free.</summary>
public class SqliteWriteGateTests : IDisposable
{
    private readonly TestStore _store = TestStore.Create(TestStoreKind.Sqlite);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task BeginTransaction_WhileAnotherWriterHoldsTheSlot_WaitsInTheGate_AndBeginsWhenTheHolderCommits()
    {
        var gate = await GateAsync();
        await using var first = await _store.Contexts.CreateDbContextAsync();
        await using var second = await _store.Contexts.CreateDbContextAsync();

        await using var held = await first.Database.BeginTransactionAsync();
        gate.IsHeld.Should().BeTrue();
        first.Hosts.Add(NewHost("a"));
        await first.SaveChangesAsync();

        var begins = second.Database.BeginTransactionAsync();
        await WaitUntilAsync(() => gate.Waiting == 1);
        begins.IsCompleted.Should().BeFalse("the second writer waits for the slot, not for the file");

        await held.CommitAsync();
        await using var next = await begins.WaitAsync(TimeSpan.FromSeconds(30));
        gate.IsHeld.Should().BeTrue("the second writer holds it now");
        second.Hosts.Add(NewHost("b"));
        await second.SaveChangesAsync();
        await next.CommitAsync();

        gate.IsHeld.Should().BeFalse();
        await using var check = await _store.Contexts.CreateDbContextAsync();
        (await check.Hosts.Select(h => h.Name).OrderBy(n => n).ToListAsync()).Should().Equal("a", "b");
    }

    [Fact]
    public async Task SaveChanges_OfOneRow_WaitsInTheGate_AndCancellingTheWaitLeavesTheSlotWithItsHolder()
    {
        var gate = await GateAsync();
        await using var first = await _store.Contexts.CreateDbContextAsync();
        await using var second = await _store.Contexts.CreateDbContextAsync();
        await using var held = await first.Database.BeginTransactionAsync();

        // One INSERT: EF would run it without a transaction, i.e. around the gate; the gate's interceptor makes it take one.
        second.Hosts.Add(NewHost("waits"));
        using var cancel = new CancellationTokenSource();
        var save = second.SaveChangesAsync(cancel.Token);
        await WaitUntilAsync(() => gate.Waiting == 1);
        save.IsCompleted.Should().BeFalse();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => save).Should().ThrowAsync<OperationCanceledException>();
        gate.Waiting.Should().Be(0);
        gate.IsHeld.Should().BeTrue("the first writer still holds it");
        second.Database.CurrentTransaction.Should().BeNull();

        await held.RollbackAsync();
        gate.IsHeld.Should().BeFalse();
        await second.SaveChangesAsync(); // the cancelled writer can write afterwards
        gate.IsHeld.Should().BeFalse();
        (await second.Hosts.CountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Save_ThatFails_ReleasesTheSlot()
    {
        var gate = await GateAsync();
        await using (var db = await _store.Contexts.CreateDbContextAsync())
        {
            db.Hosts.Add(NewHost("same"));
            await db.SaveChangesAsync();
        }
        await using var other = await _store.Contexts.CreateDbContextAsync();
        other.Hosts.Add(NewHost("same"));

        await FluentActions.Invoking(() => other.SaveChangesAsync()).Should().ThrowAsync<DbUpdateException>();

        gate.IsHeld.Should().BeFalse();
        other.ChangeTracker.Clear();
        other.Hosts.Add(NewHost("another"));
        await other.SaveChangesAsync();
        gate.IsHeld.Should().BeFalse();
    }

    [Fact]
    public async Task Transaction_DisposedWithoutCommitOnAnOpenConnection_ReleasesTheSlot()
    {
        var gate = await GateAsync();
        await using var db = await _store.Contexts.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync(); // kept open: the slot must not wait for the connection to close

        await using (await db.Database.BeginTransactionAsync())
        {
            db.Hosts.Add(NewHost("rolled-back"));
            await db.SaveChangesAsync();
            gate.IsHeld.Should().BeTrue();
        }

        gate.IsHeld.Should().BeFalse();
        db.Database.GetDbConnection().State.Should().Be(System.Data.ConnectionState.Open);
        db.ChangeTracker.Clear();
        (await db.Hosts.CountAsync()).Should().Be(0, "the transaction was rolled back");
        await db.Database.CloseConnectionAsync();
    }

    [Fact]
    public async Task SyncTransaction_CommittedAndFailed_ReleasesTheSlot()
    {
        var gate = await GateAsync();
        using var db = _store.Contexts.CreateDbContext();

        using (var tx = db.Database.BeginTransaction())
        {
            gate.IsHeld.Should().BeTrue();
            db.Hosts.Add(NewHost("sync"));
            db.SaveChanges();
            tx.Commit();
        }
        gate.IsHeld.Should().BeFalse();

        db.Hosts.Add(NewHost("sync"));
        FluentActions.Invoking(() => db.SaveChanges()).Should().Throw<DbUpdateException>();
        gate.IsHeld.Should().BeFalse();
    }

    [Fact]
    public async Task Wait_LongerThanTheDefaultTimeout_FailsAsSqliteBusy_WhichIsTransient_AndHoldsNothing()
    {
        var gate = await GateAsync();
        IDbContextFactory<OctopusDbContext> impatient = new OctopusContextFactory(SqliteStore.Configure(new DbContextOptionsBuilder<OctopusDbContext>(),
            new SqliteConnectionStringBuilder(SqliteStore.ConnectionStringFor(_store.DatabaseFile)) { DefaultTimeout = 1 }.ConnectionString).Options);
        await using var first = await _store.Contexts.CreateDbContextAsync();
        await using var held = await first.Database.BeginTransactionAsync();
        await using var second = await impatient.CreateDbContextAsync();
        second.Hosts.Add(NewHost("late"));

        var e = (await FluentActions.Invoking(() => second.SaveChangesAsync()).Should().ThrowAsync<Exception>()).Which;

        second.Provider.IsTransient(e).Should().BeTrue($"SQLITE_BUSY, as when SQLite itself gives up on a locked file: {e}");
        gate.Waiting.Should().Be(0);
        gate.IsHeld.Should().BeTrue("the first writer still holds it");
        await held.CommitAsync();
        gate.IsHeld.Should().BeFalse();
    }

    [Fact]
    public async Task ExecuteDelete_OutsideATransaction_WaitsInTheGate()
    {
        var gate = await GateAsync();
        await using (var db = await _store.Contexts.CreateDbContextAsync())
        {
            db.Hosts.Add(NewHost("doomed"));
            await db.SaveChangesAsync();
        }
        await using var first = await _store.Contexts.CreateDbContextAsync();
        await using var second = await _store.Contexts.CreateDbContextAsync();
        await using var held = await first.Database.BeginTransactionAsync();

        var delete = second.Hosts.Where(h => h.Name == "doomed").ExecuteDeleteAsync();
        await WaitUntilAsync(() => gate.Waiting == 1);
        delete.IsCompleted.Should().BeFalse();
        await held.CommitAsync();

        (await delete.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(1);
        gate.IsHeld.Should().BeFalse();
    }

    [Fact]
    public async Task ManyConcurrentWriters_AllSave_OneInsideAtATime_AndTheSlotEndsFree()
    {
        var gate = await GateAsync();
        const int writers = 40;
        var inside = 0;
        var mostInside = 0;

        // Explicit transactions, one-row saves and statements outside a transaction, all at once.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await using var db = await _store.Contexts.CreateDbContextAsync();
            switch (i % 3)
            {
                case 0:
                    await using (var tx = await db.Database.BeginTransactionAsync())
                    {
                        var now = Interlocked.Increment(ref inside);
                        InterlockedMax(ref mostInside, now);
                        db.Hosts.Add(NewHost($"h{i:00}"));
                        await db.SaveChangesAsync();
                        Interlocked.Decrement(ref inside);
                        await tx.CommitAsync();
                    }
                    break;
                case 1:
                    db.Hosts.Add(NewHost($"h{i:00}"));
                    await db.SaveChangesAsync();
                    break;
                default:
                    db.Hosts.Add(NewHost($"h{i:00}"));
                    await db.SaveChangesAsync();
                    await db.Hosts.Where(h => h.Name == $"h{i:00}").ExecuteUpdateAsync(s => s.SetProperty(h => h.Version, h => h.Version + 1));
                    break;
            }
        })));

        mostInside.Should().Be(1);
        gate.IsHeld.Should().BeFalse();
        gate.Waiting.Should().Be(0);
        await using var check = await _store.Contexts.CreateDbContextAsync();
        (await check.Hosts.CountAsync()).Should().Be(writers);
    }

    [Fact]
    public async Task LockOwner_BeginsATransactionHoldingTheSlot_UntilTheCallerCommits()
    {
        var gate = await GateAsync();
        await using var db = await _store.Contexts.CreateDbContextAsync();
        var owner = Octopus.Domain.Users.UserId.New();

        await db.Provider.LockOwnerAsync(db, owner, CancellationToken.None);
        var tx = db.Database.CurrentTransaction;
        tx.Should().NotBeNull("a quota decision on SQLite holds the write lock from its claim to its save");
        gate.IsHeld.Should().BeTrue();
        await db.Provider.LockOwnerAsync(db, owner, CancellationToken.None);
        db.Database.CurrentTransaction.Should().BeSameAs(tx, "a second claim in the same unit of work keeps its transaction");

        await tx!.CommitAsync();
        gate.IsHeld.Should().BeFalse();
    }

    [Fact]
    public async Task Gate_IsOnePerFile_AndNoneForAnInMemoryDatabase()
    {
        var gate = await GateAsync();
        (await GateAsync()).Should().BeSameAs(gate);
        using var other = TestStore.Create(TestStoreKind.Sqlite);
        await using (var db = await other.Contexts.CreateDbContextAsync())
        {
            await db.Database.OpenConnectionAsync();
            SqliteWriteGate.For(db.Database.GetDbConnection()).Should().NotBeSameAs(gate);
        }

        await using var memory = new SqliteConnection("Data Source=:memory:");
        await memory.OpenAsync();
        SqliteWriteGate.For(memory).Should().BeNull();
    }

    private async Task<SqliteWriteGate> GateAsync()
    {
        await using var db = await _store.Contexts.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var gate = SqliteWriteGate.For(db.Database.GetDbConnection());
        gate.Should().NotBeNull();
        gate!.IsHeld.Should().BeFalse();
        return gate;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }

    private static Host NewHost(string name) =>
        Host.Create(name, new HostCapacity(8, new Mips(1000), ByteSize.FromGiB(16), ByteSize.FromGiB(100)), ClusterOptions.DefaultPowerModel,
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
}
