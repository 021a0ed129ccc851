using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Persistence.Postgres;
using Octopus.Application.Configuration;
using Octopus.Server.Configuration;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>The two store providers: each one's migrations build the current model on an empty database, and each
/// recognises its engine's unique violations and momentary conflicts (what CommandRunner retries or answers 409 for).
/// PostgreSQL runs on the test process's throwaway cluster (scripts/pg-test-cluster).</summary>
public class StoreProviderTests
{
    public static TheoryData<TestStoreKind> Kinds => [TestStoreKind.Sqlite, TestStoreKind.Postgres];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Migrate_EmptyDatabase_AppliesEveryMigration_AndMatchesTheModel(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        await using var db = await store.Contexts.CreateDbContextAsync();

        db.Provider.Name.Should().Be(kind == TestStoreKind.Postgres ? "postgres" : "sqlite");
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await db.Database.GetAppliedMigrationsAsync()).Should().Equal(db.Database.GetMigrations());
        db.Database.HasPendingModelChanges().Should().BeFalse("the provider's migrations must be regenerated after a model change");
        // A fresh store is usable at once: a row in, the same row out.
        db.Hosts.Add(NewHost("h-01"));
        await db.SaveChangesAsync();
        (await store.OtherProcess().CreateDbContext().Hosts.SingleAsync()).Name.Should().Be("h-01");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Save_DuplicateUniqueKey_IsAUniqueViolation_AndNotTransient(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            db.Hosts.Add(NewHost("same"));
            await db.SaveChangesAsync();
        }
        await using var other = await store.Contexts.CreateDbContextAsync();
        other.Hosts.Add(NewHost("same"));

        var e = (await FluentActions.Invoking(() => other.SaveChangesAsync()).Should().ThrowAsync<DbUpdateException>()).Which;

        other.Provider.IsUniqueViolation(e).Should().BeTrue(e.InnerException?.Message);
        other.Provider.IsTransient(e).Should().BeFalse();
        other.Provider.IsUnavailable(e).Should().BeFalse("the database answered");
    }

    [Fact]
    public async Task Sqlite_Connections_UseTheWriteAheadLog_NormalSync_AndAPrivateCache()
    {
        using var store = TestStore.Create(TestStoreKind.Sqlite);
        await using var db = await store.Contexts.CreateDbContextAsync();
        await db.Provider.PrepareAsync(db, CancellationToken.None); // as the server does at start-up
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();

        new SqliteConnectionStringBuilder(connection.ConnectionString).Cache.Should().Be(SqliteCacheMode.Private);
        (await Pragma(connection, "journal_mode")).Should().Be("wal", "readers must not wait for the writer");
        (await Pragma(connection, "synchronous")).Should().Be("1", "NORMAL (1): under WAL a commit syncs at checkpoints, not each time");
        await db.Database.CloseConnectionAsync();

        static async Task<string?> Pragma(SqliteConnection c, string name)
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"PRAGMA {name};";
            return (await command.ExecuteScalarAsync())?.ToString();
        }
    }

    [Fact]
    public async Task Postgres_DatabaseNotListening_IsUnavailable_AndNotTransient()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        var nowhere = new NpgsqlConnectionStringBuilder(store.PostgresDatabase) { Port = TestProcesses.FreeLoopbackPort(), Timeout = 2 }.ConnectionString;
        await using var db = PostgresStore.Factory(nowhere).CreateDbContext();

        var e = (await FluentActions.Invoking(() => db.Hosts.CountAsync()).Should().ThrowAsync<Exception>()).Which;

        db.Provider.IsUnavailable(e).Should().BeTrue(e.ToString());
        db.Provider.IsTransient(e).Should().BeFalse("a write in flight may have been committed; it is not retried");
    }

    [Fact]
    public async Task Postgres_WriteOnAStandby_IsUnavailable()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        await using var db = await store.Contexts.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        // A read-only session answers a write as a hot standby does (SQLSTATE 25006).
        await db.Database.ExecuteSqlRawAsync("SET default_transaction_read_only = on");
        db.Hosts.Add(NewHost("h-ro"));

        var e = (await FluentActions.Invoking(() => db.SaveChangesAsync()).Should().ThrowAsync<Exception>()).Which;

        db.Provider.IsUnavailable(e).Should().BeTrue(e.ToString());
    }

    [Fact]
    public async Task Postgres_ConcurrentUpdateUnderRepeatableRead_IsTransient_AndNotAUniqueViolation()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            db.Hosts.Add(NewHost("h-01"));
            await db.SaveChangesAsync();
        }
        await using var first = await store.Contexts.CreateDbContextAsync();
        await using var tx = await first.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        (await first.Hosts.CountAsync()).Should().Be(1); // takes the transaction's snapshot
        await using (var second = await store.Contexts.CreateDbContextAsync())
            await second.Hosts.ExecuteUpdateAsync(s => s.SetProperty(h => h.Version, h => h.Version + 1));

        // 40001: the row changed after this transaction's snapshot; a retry from fresh state is the answer. EF's execution
        // strategy wraps it ("likely due to a transient failure"), so the provider looks inside.
        var e = (await FluentActions.Invoking(() => first.Hosts.ExecuteUpdateAsync(s => s.SetProperty(h => h.Version, h => h.Version + 1)))
            .Should().ThrowAsync<Exception>()).Which;

        e.GetBaseException().Should().BeOfType<PostgresException>().Which.SqlState.Should().Be(PostgresErrorCodes.SerializationFailure);
        first.Provider.IsTransient(e).Should().BeTrue();
        first.Provider.IsUniqueViolation(e).Should().BeFalse();
    }

    [Fact]
    public async Task Sqlite_BusyAndLocked_AreTransient()
    {
        using var store = TestStore.Create(TestStoreKind.Sqlite);
        await using var db = await store.Contexts.CreateDbContextAsync();

        db.Provider.IsTransient(new DbUpdateException("save failed", new SqliteException("database is locked", 5))).Should().BeTrue();
        db.Provider.IsTransient(new SqliteException("database table is locked", 6)).Should().BeTrue();
        db.Provider.IsTransient(new SqliteException("constraint failed", 19, 2067)).Should().BeFalse();
        db.Provider.IsUniqueViolation(new SqliteException("UNIQUE constraint failed", 19, 2067)).Should().BeTrue();
    }

    [Theory]
    [InlineData("mysql", null, "Octopus:Store:Provider", "'mysql' is not a store provider; use sqlite or postgres")]
    [InlineData("postgres", null, "Octopus:Store:ConnectionString", "needs a connection string")]
    [InlineData("postgres", "Database=octopus", "Octopus:Store:ConnectionString", "names no Host")]
    [InlineData("postgres", "Host=db;Bogus Key=1", "Octopus:Store:ConnectionString", "not a PostgreSQL connection string")]
    public void Settings_BadProviderOrConnectionString_IsAConfigurationErrorNamingTheSetting(string provider, string? connection, string key, string problem)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Octopus:Store:Provider"] = provider,
            ["Octopus:Store:ConnectionString"] = connection,
        }).Build();

        FluentActions.Invoking(() => StoreSettings.Read(configuration, new DataFolder("/srv/octopus")))
            .Should().Throw<ConfigurationException>().Where(e => e.Key == key).WithMessage($"*{problem}*");
    }

    [Fact]
    public void Settings_Default_IsSqliteInTheDataFolder_AndProviderNamesIgnoreCase()
    {
        var server = new DataFolder("/srv/octopus");
        var none = StoreSettings.Read(new ConfigurationBuilder().Build(), server);
        none.Provider.Should().Be("sqlite");
        none.ConnectionString.Should().Contain("/srv/octopus/octopus.db");

        var pg = StoreSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Octopus:Store:Provider"] = " PostgreS ",
            ["Octopus:Store:ConnectionString"] = "Host=db1:5432,db2:5432;Database=octopus;Username=octopus;Target Session Attributes=primary",
        }).Build(), server);
        pg.Provider.Should().Be("postgres");
    }

    private static Host NewHost(string name) =>
        Host.Create(name, new HostCapacity(8, new Mips(1000), ByteSize.FromGiB(16), ByteSize.FromGiB(100)), ClusterOptions.DefaultPowerModel,
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
}
