using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Octopus.Persistence.Sqlite;

/// <summary>One database file's write slot in this process. SQLite lets one connection write at a time; a second
/// writer that finds the file locked is retried by Microsoft.Data.Sqlite with a blocking 150 ms sleep per try, so under
/// concurrent requests most of a save's time went to sleeping threads and the order writers got in was luck. Writers
/// that take this slot first (<see cref="SqliteWriteGateInterceptor"/>) queue in memory instead, are woken the moment
/// the holder commits, and can be cancelled while they wait. The file's own lock still decides between processes:
/// the slot only spares this process's writers from polling each other.</summary>
internal sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    /// <summary>A write slot taken by a transaction's start and not yet claimed by its <see cref="SqliteGatedTransaction"/>.</summary>
    private static readonly ConditionalWeakTable<DbConnection, Lease> Handed = new();

    private readonly SemaphoreSlim _slot = new(1, 1);
    private int _waiting;

    private SqliteWriteGate(string file) => File = file;

    /// <summary>The database file, as SQLite names it (an absolute path).</summary>
    public string File { get; }

    /// <summary>Whether a writer holds the slot now.</summary>
    public bool IsHeld => _slot.CurrentCount == 0;

    /// <summary>Writers waiting for the slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The gate of an open connection's main database file; null for an in-memory or temporary database,
    /// which no other connection shares.</summary>
    public static SqliteWriteGate? For(DbConnection connection) =>
        connection is SqliteConnection { State: System.Data.ConnectionState.Open, DataSource: { Length: > 0 } file }
            ? Gates.GetOrAdd(file, f => new SqliteWriteGate(f))
            : null;

    /// <summary>How long a writer waits for the slot: the connection's <c>Default Timeout</c>, as long as SQLite itself
    /// would have retried a locked file (0 waits without end, as there).</summary>
    public static TimeSpan TimeoutOf(DbConnection connection) =>
        connection is SqliteConnection { DefaultTimeout: var seconds } ? (seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan)
            : TimeSpan.FromSeconds(30);

    /// <summary>Waits for the slot. Throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> is
    /// cancelled, and SQLite's own "database is locked" error (SQLITE_BUSY, which callers already treat as transient)
    /// when <paramref name="timeout"/> passes; in both cases nothing is held.</summary>
    public async ValueTask<Lease> EnterAsync(TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!await _slot.WaitAsync(timeout, ct)) throw Busy(timeout);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return new Lease(_slot);
    }

    /// <summary><see cref="EnterAsync"/> for synchronous callers (blocks the thread, as SQLite's own retry did).</summary>
    public Lease Enter(TimeSpan timeout)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!_slot.Wait(timeout)) throw Busy(timeout);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return new Lease(_slot);
    }

    private SqliteException Busy(TimeSpan timeout) =>
        new($"database is locked: another writer in this process held {File} for longer than {timeout.TotalSeconds:0.#} s (Default Timeout)", BusyCode);

    private const int BusyCode = 5; // SQLITE_BUSY

    /// <summary>Leaves <paramref name="lease"/> with <paramref name="connection"/> for the transaction the connection is
    /// starting (<see cref="SqliteGatedTransactionFactory"/> claims it); a lease left there unclaimed is released.</summary>
    public static void Hand(DbConnection connection, Lease lease)
    {
        ReleaseHanded(connection);
        Handed.AddOrUpdate(connection, lease);
    }

    /// <summary>The lease handed to <paramref name="connection"/>'s starting transaction, now owned by the caller.</summary>
    public static Lease? Claim(DbConnection connection) => Handed.TryGetValue(connection, out var lease) && Handed.Remove(connection) ? lease : null;

    /// <summary>Releases a lease handed to <paramref name="connection"/> that no transaction claimed (its start failed
    /// after the slot was taken), so that closing the connection can never leave the slot held.</summary>
    public static void ReleaseHanded(DbConnection connection) => Claim(connection)?.Release();

    /// <summary>The slot, held until <see cref="Release"/>; releasing twice is harmless.</summary>
    internal sealed class Lease(SemaphoreSlim slot) : IDisposable
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slot.Release();
        }

        public void Dispose() => Release();
    }
}
