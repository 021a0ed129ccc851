using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Postgres;
using Octopus.Persistence.Sqlite;

using Octopus.Application.Configuration;

namespace Octopus.Server.Configuration;

/// <summary>Which engine holds the store (<c>Octopus:Store:Provider</c>: <c>sqlite</c>, the default, or
/// <c>postgres</c>) and where (<c>Octopus:Store:ConnectionString</c>; SQLite defaults to <c>DATA/octopus.db</c>,
/// PostgreSQL needs one). The composition root is the only code that names the provider projects.</summary>
public sealed record StoreSettings(string Provider, string ConnectionString)
{
    public const string ProviderKey = "Octopus:Store:Provider";
    public const string ConnectionStringKey = "Octopus:Store:ConnectionString";

    public static StoreSettings From(IConfiguration configuration, ServerSettings server)
    {
        var provider = configuration[ProviderKey]?.Trim().ToLowerInvariant();
        var connection = configuration[ConnectionStringKey]?.Trim();
        switch (provider)
        {
            case null or "" or SqliteStore.ProviderName:
                return new StoreSettings(SqliteStore.ProviderName,
                    string.IsNullOrEmpty(connection) ? SqliteStore.ConnectionStringFor(server.DatabaseFile) : connection);
            case PostgresStore.ProviderName:
                if (string.IsNullOrEmpty(connection))
                    throw new ConfigurationException(ConnectionStringKey,
                        "the postgres store needs a connection string, e.g. Host=db1,db2;Database=octopus;Username=octopus;Target Session Attributes=primary (set Octopus__Store__ConnectionString).");
                if (PostgresStore.CheckConnectionString(connection) is { } problem)
                    throw new ConfigurationException(ConnectionStringKey, $"not a PostgreSQL connection string: {problem}");
                return new StoreSettings(PostgresStore.ProviderName, connection);
            default:
                throw new ConfigurationException(ProviderKey, $"'{provider}' is not a store provider; use sqlite or postgres.");
        }
    }

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
