using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage;
using Octopus.Domain.Users;
using Octopus.Persistence.Providers;

namespace Octopus.Persistence.Sqlite;

/// <summary>Configures the store on SQLite with this assembly's migrations.</summary>
public static class SqliteStore
{
    public const string ProviderName = "sqlite";

    /// <summary>Configures <paramref name="builder"/> for the SQLite store at <paramref name="connectionString"/>. This
    /// process's writers to one file queue for it in memory (<see cref="SqliteWriteGateInterceptor"/>) instead of
    /// polling the file's lock.</summary>
    public static DbContextOptionsBuilder<OctopusDbContext> Configure(DbContextOptionsBuilder<OctopusDbContext> builder, string connectionString) =>
        // The store provider first: its leader-fence interceptor must refuse a deposed leader's statement before the
        // write gate's runs a statement made outside a transaction.
        builder.UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(SqliteStore).Assembly.GetName().Name))
            .UseStoreProvider(SqliteStoreProvider.Instance)
            .AddInterceptors(SqliteConnectionPragmas.Instance, SqliteWriteGateInterceptor.Instance)
            .ReplaceService<IRelationalTransactionFactory, SqliteGatedTransactionFactory>();

    /// <summary>A context factory over a database file (tools and tests; the server registers its own).</summary>
    public static IDbContextFactory<OctopusDbContext> Factory(string databaseFile) =>
        new OctopusContextFactory(Configure(new DbContextOptionsBuilder<OctopusDbContext>(), ConnectionStringFor(databaseFile)).Options);

    /// <summary>Connection string for a database file; the folder must exist. A private cache per connection (shared
    /// cache mixes table locks into WAL's reader/writer model and made EF Core fail with "unable to delete/modify
    /// collation sequence due to active statements" under load); a writer waits for up to 30 s (Default Timeout) for
    /// this process's other writers (<see cref="SqliteWriteGate"/>) or another process's lock on the file before it fails
    /// with SQLITE_BUSY.</summary>
    public static string ConnectionStringFor(string databaseFile) => $"Data Source={databaseFile};Cache=Private;Foreign Keys=True;Default Timeout=30";

    /// <summary>Closes pooled connections (so a test or tool can delete the file).</summary>
    public static void ClearPools() => SqliteConnection.ClearAllPools();
}

/// <summary>SQLite's side of <see cref="IStoreProvider"/>.</summary>
internal sealed class SqliteStoreProvider : IStoreProvider
{
    public static readonly SqliteStoreProvider Instance = new();

    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (extended codes); SQLITE_BUSY and SQLITE_LOCKED.
    private const int ConstraintUnique = 2067, ConstraintPrimaryKey = 1555, Busy = 5, Locked = 6;

    public string Name => SqliteStore.ProviderName;

    public bool IsUniqueViolation(Exception e) =>
        Find(e) is { } x && (x.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey);

    public bool IsTransient(Exception e) => Find(e) is { } x && x.SqliteErrorCode is Busy or Locked;

    /// <summary>The file is local: there is no database server to lose.</summary>
    public bool IsUnavailable(Exception e) => false;

    public string ContainsSql(string haystack, string needle) => $"instr({haystack}, {needle}) > 0";

    // EF's SQLite mapping stores a Guid as upper-case text; a raw parameter must match it.
    public object IdParameter(Guid id) => id.ToString("D").ToUpperInvariant();

    public string Describe(string connectionString) => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public void ShapeModel(ModelBuilder model) { }

    /// <summary>Begins the caller's transaction (if none is open), i.e. takes the file's write lock through its
    /// <see cref="SqliteWriteGate"/>, and keeps it until the caller commits or rolls back. Without it each concurrent
    /// decision for one owner read the quota row, queued for the lock and then failed the row's concurrency check
    /// whenever another decision had committed meanwhile — with many creates for one owner, nearly every time, and
    /// some ran out of retries; held from the claim, the check cannot fail and nothing is decided twice.</summary>
    public async Task LockOwnerAsync(OctopusDbContext db, UserId owner, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) await db.Database.BeginTransactionAsync(ct);
    }

    public string CurrentTermSql => """SELECT "Term" AS "Value" FROM "ControlPlaneLeadership" WHERE "Id" = 1""";

    /// <summary>One process owns a SQLite store, so it always leads: the lock is held until disposed.</summary>
    public Task<ILeadershipLock?> TryTakeLeadershipAsync(OctopusDbContext db, LeadershipTimeouts timeouts, CancellationToken ct) =>
        Task.FromResult<ILeadershipLock?>(new SingleProcessLock());

    private sealed class SingleProcessLock : ILeadershipLock
    {
        public Task<bool> StillHeldAsync(CancellationToken ct) => Task.FromResult(true);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public async Task PrepareAsync(OctopusDbContext db, CancellationToken ct)
    {
        // Readers do not wait for writers under a write-ahead log; the setting is kept in the file.
        await db.Database.OpenConnectionAsync(ct);
        try { await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    private static SqliteException? Find(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is SqliteException s) return s;
        return null;
    }
}

/// <summary>Used by <c>dotnet ef</c> to build the model when adding migrations.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OctopusDbContext>
{
    public OctopusDbContext CreateDbContext(string[] args) =>
        new(SqliteStore.Configure(new DbContextOptionsBuilder<OctopusDbContext>(), "Data Source=design.db").Options);
}
