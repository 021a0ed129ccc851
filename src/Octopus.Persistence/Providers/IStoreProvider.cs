using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Users;

namespace Octopus.Persistence.Providers;

/// <summary>What differs between the database engines the store runs on, kept behind one interface so that nothing
/// outside the provider projects (<c>Octopus.Persistence.Sqlite</c>, <c>Octopus.Persistence.Postgres</c>) knows which
/// engine it talks to: how the engine reports a unique-index violation or a momentary conflict, the few SQL spellings
/// that differ, and what it needs before migrating. Each provider's <c>Configure</c> attaches its instance to the
/// context options, so every <see cref="OctopusDbContext"/> carries it as <see cref="OctopusDbContext.Provider"/>.</summary>
public interface IStoreProvider
{
    /// <summary>The configuration name: <c>sqlite</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>True when <paramref name="e"/> (or an exception inside it) is the engine refusing a row because a unique
    /// index already holds its key.</summary>
    bool IsUniqueViolation(Exception e);

    /// <summary>True when <paramref name="e"/> (or an exception inside it) says the engine could not decide this time
    /// because of other writers — SQLite busy or locked, PostgreSQL serialization failure or deadlock — so nothing was
    /// saved and running the same unit of work again is safe.</summary>
    bool IsTransient(Exception e);

    /// <summary>True when <paramref name="e"/> (or an exception inside it) says the database could not be reached or
    /// dropped the connection, or is not the primary (PostgreSQL: a network error or timeout, a connection or shutdown
    /// error, a read-only standby) — the database is down or failing over. A write in flight may or may not have been
    /// committed, so this is not retried; the API answers 503.</summary>
    bool IsUnavailable(Exception e);

    /// <summary>The SQL for "<paramref name="needle"/> occurs in <paramref name="haystack"/>", both SQL expressions,
    /// compared exactly (no wildcards, case as given).</summary>
    string ContainsSql(string haystack, string needle);

    /// <summary>The value to pass as a raw-SQL parameter compared with an id (Guid) column, in the form the engine
    /// stores it.</summary>
    object IdParameter(Guid id);

    /// <summary>Where the store is, for messages (a file, or host and database; never a password).</summary>
    string Describe(string connectionString);

    /// <summary>Adjusts the shared model for this engine (runs last in <c>OnModelCreating</c>).</summary>
    void ShapeModel(ModelBuilder model);

    /// <summary>Makes the caller the only unit of work deciding for one VM owner (the <c>OwnerQuotaLocks</c> row keyed by
    /// <paramref name="owner"/>) until its transaction ends, where the engine can hold a row lock: PostgreSQL begins a
    /// transaction on <paramref name="db"/> if none is open, creates the row if missing and locks it
    /// (<c>INSERT … ON CONFLICT DO UPDATE</c>, which waits for another holder to commit), so concurrent decisions for
    /// one owner queue instead of failing their concurrency check and retrying. The caller must commit or roll back
    /// <c>db.Database.CurrentTransaction</c> when it is done (<c>CommandRunner</c> does). SQLite has no row locks: it
    /// begins the transaction, which takes the whole file's write lock (after this process's other writers, in the
    /// order they asked), so the decision's reads and its save see no other writer in between.</summary>
    Task LockOwnerAsync(OctopusDbContext db, UserId owner, CancellationToken ct);

    /// <summary>Tries once to take the store's leadership lock for this process (<see cref="ILeadershipLock"/>): null when
    /// another process holds it. <paramref name="db"/> names the store; the lock keeps a connection of its own.</summary>
    Task<ILeadershipLock?> TryTakeLeadershipAsync(OctopusDbContext db, LeadershipTimeouts timeouts, CancellationToken ct);

    /// <summary>SQL returning the store's current leader term as one column named <c>Value</c> (no row before the first
    /// leader), run inside a fenced save's transaction: where the engine allows it, it keeps a shared lock on the
    /// leadership row until the transaction ends, so a new term cannot be taken between the check and the commit.</summary>
    string CurrentTermSql { get; }

    /// <summary>Runs once before migrations on server start (e.g. SQLite's write-ahead log).</summary>
    Task PrepareAsync(OctopusDbContext db, CancellationToken ct);
}
