using Microsoft.AspNetCore.Builder;

namespace Octopus.TestKit;

/// <summary>A data folder and a store that outlive one server, for tests that stop a server and start another on the
/// same state (a restart): SQLite in the folder, or a database on the test process's PostgreSQL cluster (default:
/// <see cref="PostgresTestCluster.DefaultStore"/>). Each <see cref="StartAsync"/> is a new server on both; dispose the
/// servers first, then this (it drops the database and deletes the folder).</summary>
public sealed class TestServerHome : IAsyncDisposable
{
    private TestServerHome(string dataDirectory, TestStoreKind store, string? postgresDatabase)
    {
        DataDirectory = dataDirectory;
        Store = store;
        PostgresDatabase = postgresDatabase;
    }

    public string DataDirectory { get; }
    public TestStoreKind Store { get; }

    /// <summary>The PostgreSQL database's connection string; null on SQLite.</summary>
    public string? PostgresDatabase { get; }

    public static async Task<TestServerHome> CreateAsync(TestStoreKind? store = null)
    {
        var kind = store ?? PostgresTestCluster.DefaultStore;
        var database = kind == TestStoreKind.Postgres ? await PostgresTestCluster.CreateDatabaseAsync() : null;
        return new TestServerHome(Directory.CreateTempSubdirectory("octopus-home-").FullName, kind, database);
    }

    /// <summary>Starts a server on this folder and store (see <see cref="TestServerApp.StartAsync"/>).</summary>
    public Task<TestServerApp> StartAsync(string? config = null, Action<WebApplicationBuilder>? customize = null) =>
        TestServerApp.StartAsync(config, DataDirectory, customize, store: Store, sharedPostgresDatabase: PostgresDatabase);

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresDatabase is not null) await PostgresTestCluster.DropDatabaseAsync(PostgresDatabase);
        try { Directory.Delete(DataDirectory, true); } catch (IOException) { }
    }
}
