using Microsoft.EntityFrameworkCore;

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

    /// <summary>Runs once before migrations on server start (e.g. SQLite's write-ahead log).</summary>
    Task PrepareAsync(OctopusDbContext db, CancellationToken ct);
}
