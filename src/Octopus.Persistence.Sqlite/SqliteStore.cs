using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Octopus.Persistence.Sqlite;

/// <summary>Configures the store on SQLite with this assembly's migrations.</summary>
public static class SqliteStore
{
    public static DbContextOptionsBuilder<OctopusDbContext> Configure(DbContextOptionsBuilder<OctopusDbContext> builder, string connectionString) =>
        builder.UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(SqliteStore).Assembly.GetName().Name));

    /// <summary>A context factory over a database file (tools and tests; the server registers its own).</summary>
    public static IDbContextFactory<OctopusDbContext> Factory(string databaseFile) =>
        new OctopusContextFactory(Configure(new DbContextOptionsBuilder<OctopusDbContext>(), ConnectionStringFor(databaseFile)).Options);

    /// <summary>Connection string for a database file; the folder must exist.</summary>
    public static string ConnectionStringFor(string databaseFile) => $"Data Source={databaseFile};Cache=Shared;Foreign Keys=True";
}

/// <summary>Used by <c>dotnet ef</c> to build the model when adding migrations.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OctopusDbContext>
{
    public OctopusDbContext CreateDbContext(string[] args) =>
        new(SqliteStore.Configure(new DbContextOptionsBuilder<OctopusDbContext>(), "Data Source=design.db").Options);
}
