using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Postgres;
using Octopus.Persistence.Sqlite;

using Octopus.Application.Configuration;

namespace Octopus.Server.Configuration;

/// <summary>Section <c>Octopus:Store</c>: which engine holds the store (<c>Provider</c>: <c>sqlite</c>, the default, or
/// <c>postgres</c>) and where (<c>ConnectionString</c>; SQLite defaults to <c>DATA/octopus.db</c>, PostgreSQL needs one,
/// multi-host strings with <c>Target Session Attributes=primary</c> allowed).</summary>
public sealed class StoreOptions
{
    public const string Section = "Octopus:Store";
    public const string ProviderKey = Section + ":" + nameof(Provider);
    public const string ConnectionStringKey = Section + ":" + nameof(ConnectionString);

    public string Provider { get; set; } = SqliteStore.ProviderName;
    public string? ConnectionString { get; set; }

    internal string ProviderName => (Provider ?? "").Trim().ToLowerInvariant() is { Length: > 0 } p ? p : SqliteStore.ProviderName;
}

/// <summary>Checks <see cref="StoreOptions"/>: a known provider, and for PostgreSQL a connection string Npgsql accepts.</summary>
public sealed class StoreOptionsValidator() : SectionValidator<StoreOptions>(StoreOptions.Section)
{
    protected override void Check(StoreOptions o, Action<string, string> fail)
    {
        var connection = o.ConnectionString?.Trim();
        switch (o.ProviderName)
        {
            case SqliteStore.ProviderName:
                break;
            case PostgresStore.ProviderName when string.IsNullOrEmpty(connection):
                fail(nameof(o.ConnectionString), "the postgres store needs a connection string, e.g. Host=db1,db2;Database=octopus;Username=octopus;Target Session Attributes=primary (set Octopus__Store__ConnectionString).");
                break;
            case PostgresStore.ProviderName:
                if (PostgresStore.CheckConnectionString(connection!) is { } problem) fail(nameof(o.ConnectionString), $"not a PostgreSQL connection string: {problem}");
                break;
            default:
                fail(nameof(o.Provider), $"'{o.Provider?.Trim().ToLowerInvariant()}' is not a store provider; use sqlite or postgres.");
                break;
        }
    }
}

/// <summary>The store the server uses, from the validated <see cref="StoreOptions"/>. The composition root is the only
/// code that names the provider projects.</summary>
public sealed record StoreSettings(string Provider, string ConnectionString)
{
    /// <summary>Reads and checks <c>Octopus:Store</c> now; throws <see cref="ConfigurationException"/> naming the key.</summary>
    public static StoreSettings Read(IConfiguration configuration, DataFolder data) =>
        From(OctopusSections.Read<StoreOptions, StoreOptionsValidator>(configuration, StoreOptions.Section), data);

    public static StoreSettings From(StoreOptions options, DataFolder data) =>
        options.ProviderName == PostgresStore.ProviderName
            ? new StoreSettings(PostgresStore.ProviderName, options.ConnectionString!.Trim())
            : new StoreSettings(SqliteStore.ProviderName,
                string.IsNullOrWhiteSpace(options.ConnectionString) ? SqliteStore.ConnectionStringFor(data.DatabaseFile) : options.ConnectionString.Trim());

    /// <summary>How replicas on this store wake each other (PostgreSQL LISTEN/NOTIFY), or null where one process owns
    /// the store (SQLite).</summary>
    public Persistence.Providers.IStoreWakeups? Wakeups() =>
        Provider == PostgresStore.ProviderName ? new PostgresWakeups(ConnectionString) : null;

    /// <summary>Points <paramref name="builder"/> at this store.</summary>
    public DbContextOptionsBuilder<OctopusDbContext> Configure(DbContextOptionsBuilder<OctopusDbContext> builder) => Provider switch
    {
        PostgresStore.ProviderName => PostgresStore.Configure(builder, ConnectionString),
        _ => SqliteStore.Configure(builder, ConnectionString),
    };
}
