using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Postgres;
using Octopus.Persistence.Sqlite;

namespace Octopus.TestKit;

/// <summary>A real, migrated store for tests of the store-backed services (disk catalog, agents, settings): SQLite in
/// a fresh temporary folder, or a fresh database on the test process's PostgreSQL cluster. Dispose to delete it.</summary>
public sealed class TestStore : IDisposable
{
    private TestStore(string folder, string? postgres)
    {
        Folder = folder;
        DatabaseFile = Path.Combine(folder, "octopus.db");
        PostgresDatabase = postgres;
        Contexts = OtherProcess();
    }

    public string Folder { get; }
    public string DatabaseFile { get; }

    /// <summary>The PostgreSQL database's connection string; null on SQLite.</summary>
    public string? PostgresDatabase { get; }
    public IDbContextFactory<OctopusDbContext> Contexts { get; }

    /// <summary>A migrated store of <paramref name="kind"/> (default <see cref="PostgresTestCluster.DefaultStore"/>).</summary>
    public static TestStore Create(TestStoreKind? kind = null)
    {
        var postgres = (kind ?? PostgresTestCluster.DefaultStore) == TestStoreKind.Postgres
            ? PostgresTestCluster.CreateDatabaseAsync().GetAwaiter().GetResult()
            : null;
        var store = new TestStore(Directory.CreateTempSubdirectory("octopus-store-").FullName, postgres);
        using var db = store.Contexts.CreateDbContext();
        db.Database.Migrate();
        return store;
    }

    /// <summary>A second factory over the same database: another process's view of the store.</summary>
    public IDbContextFactory<OctopusDbContext> OtherProcess() =>
        PostgresDatabase is null ? SqliteStore.Factory(DatabaseFile) : PostgresStore.Factory(PostgresDatabase);

    public void Dispose()
    {
        SqliteStore.ClearPools();
        if (PostgresDatabase is not null) PostgresTestCluster.DropDatabaseAsync(PostgresDatabase).GetAwaiter().GetResult();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}
