using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Octopus.Domain.Users;
using Octopus.Persistence.Providers;

namespace Octopus.Persistence.Postgres;

/// <summary>Configures the store on PostgreSQL with this assembly's migrations. Any Npgsql connection string works,
/// including a multi-host one (<c>Host=db1,db2;Target Session Attributes=primary</c>).</summary>
public static class PostgresStore
{
    public const string ProviderName = "postgres";

    /// <summary>A transaction left idle this long (its process froze or hung mid-save) is ended by the server, so the
    /// locks it holds (the leadership row's shared lock, an owner's quota row) cannot stall a new leader for long.</summary>
    public static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromSeconds(5);

    public static DbContextOptionsBuilder<OctopusDbContext> Configure(DbContextOptionsBuilder<OctopusDbContext> builder, string connectionString) =>
        builder.UseNpgsql(WithSessionTimeouts(connectionString), o => o.MigrationsAssembly(typeof(PostgresStore).Assembly.GetName().Name))
            .UseStoreProvider(PostgresStoreProvider.Instance);

    /// <summary>The connection string with <see cref="IdleInTransactionTimeout"/> added to its session options, unless
    /// the operator set that option already.</summary>
    internal static string WithSessionTimeouts(string connectionString)
    {
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException) { return connectionString; } // reported by CheckConnectionString where it matters
        if ((b.Options ?? "").Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal)) return connectionString;
        b.Options = ($"{b.Options} -c idle_in_transaction_session_timeout={(int)IdleInTransactionTimeout.TotalMilliseconds}").Trim();
        return b.ConnectionString;
    }

    /// <summary>A context factory over a database (tools and tests; the server registers its own).</summary>
    public static IDbContextFactory<OctopusDbContext> Factory(string connectionString) =>
        new OctopusContextFactory(Configure(new DbContextOptionsBuilder<OctopusDbContext>(), connectionString).Options);

    /// <summary>Checks that <paramref name="connectionString"/> parses; returns the parser's complaint, or null.</summary>
    public static string? CheckConnectionString(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(b.Host) ? "names no Host (write e.g. Host=db1,db2;Database=octopus;Username=octopus)." : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>Closes pooled connections (before dropping a test database).</summary>
    public static void ClearPools() => NpgsqlConnection.ClearAllPools();
}

/// <summary>PostgreSQL's side of <see cref="IStoreProvider"/>.</summary>
internal sealed class PostgresStoreProvider : IStoreProvider
{
    public static readonly PostgresStoreProvider Instance = new();

    public string Name => PostgresStore.ProviderName;

    public bool IsUniqueViolation(Exception e) => Find(e) is { SqlState: PostgresErrorCodes.UniqueViolation };

    public bool IsTransient(Exception e) =>
        Find(e) is { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    public bool IsUnavailable(Exception e)
    {
        if (Find(e) is { } p)
            return p.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
                || p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                    or PostgresErrorCodes.ReadOnlySqlTransaction;
        // Not a server's answer: the client could not talk to a usable server (refused, broken or timed-out connection,
        // or "no suitable host" when no host of a multi-host string is a reachable primary).
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is NpgsqlException) return true;
        return false;
    }

    public string ContainsSql(string haystack, string needle) => $"strpos({haystack}, {needle}) > 0";

    public object IdParameter(Guid id) => id;

    public string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL database '{b.Database}' on {b.Host}" + (b.Host?.Contains(',', StringComparison.Ordinal) == true ? "" : $":{b.Port}");
    }

    /// <summary>Every text column is <c>text</c>: the model's lengths document intent, and SQLite (the default) never
    /// enforced them, so an over-long error message must not become a failed save here either.</summary>
    public void ShapeModel(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties()) MakeText(property);
            foreach (var complex in entity.GetComplexProperties())
                foreach (var property in complex.ComplexType.GetProperties()) MakeText(property);
        }

        static void MakeText(Microsoft.EntityFrameworkCore.Metadata.IMutableProperty property)
        {
            var stored = property.GetProviderClrType() ?? property.GetValueConverter()?.ProviderClrType ?? property.ClrType;
            if (stored == typeof(string)) property.SetColumnType("text");
        }
    }

    public async Task LockOwnerAsync(OctopusDbContext db, UserId owner, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) await db.Database.BeginTransactionAsync(ct);
        // One statement creates the row on the owner's first decision and otherwise takes its row lock (DO UPDATE locks
        // the conflicting row, waiting for a holder to commit); the version is left for the caller's own bump.
        await db.Database.ExecuteSqlRawAsync(
            """INSERT INTO "OwnerQuotaLocks" ("UserId", "Version") VALUES ({0}, 0) ON CONFLICT ("UserId") DO UPDATE SET "Version" = "OwnerQuotaLocks"."Version" """,
            [owner.Value], ct);
    }

    public Task PrepareAsync(OctopusDbContext db, CancellationToken ct) => Task.CompletedTask;

    public string CurrentTermSql => """SELECT "Term" AS "Value" FROM "ControlPlaneLeadership" WHERE "Id" = 1 FOR SHARE""";

    public Task<ILeadershipLock?> TryTakeLeadershipAsync(OctopusDbContext db, LeadershipTimeouts timeouts, CancellationToken ct) =>
        PostgresLeadershipLock.TryTakeAsync(db.Database.GetConnectionString()!, timeouts, ct);

    private static PostgresException? Find(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is PostgresException p) return p;
        return null;
    }
}

/// <summary>Used by <c>dotnet ef</c> to build the model when adding migrations (no database is contacted).</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OctopusDbContext>
{
    public OctopusDbContext CreateDbContext(string[] args) =>
        new(PostgresStore.Configure(new DbContextOptionsBuilder<OctopusDbContext>(), "Host=localhost;Database=octopus_design").Options);
}
