using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Sqlite;

namespace Octopus.TestKit;

/// <summary>A real, migrated SQLite store in a fresh temporary folder, for tests of the store-backed services (disk
/// catalog, agents, settings). Dispose to delete it.</summary>
public sealed class TestStore : IDisposable
{
    private TestStore(string folder)
    {
        Folder = folder;
        DatabaseFile = Path.Combine(folder, "octopus.db");
        Contexts = SqliteStore.Factory(DatabaseFile);
    }

    public string Folder { get; }
    public string DatabaseFile { get; }
    public IDbContextFactory<OctopusDbContext> Contexts { get; }

    public static TestStore Create()
    {
        var store = new TestStore(Directory.CreateTempSubdirectory("octopus-store-").FullName);
        using var db = store.Contexts.CreateDbContext();
        db.Database.Migrate();
        return store;
    }

    /// <summary>A second factory over the same file: another process's view of the store.</summary>
    public IDbContextFactory<OctopusDbContext> OtherProcess() => SqliteStore.Factory(DatabaseFile);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}
