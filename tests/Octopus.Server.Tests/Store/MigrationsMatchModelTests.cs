using Microsoft.EntityFrameworkCore;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>Each provider's migrations describe the model exactly: a model change without its migration would make a
/// fresh store differ from the code (and EF refuses to migrate with pending model changes).</summary>
public sealed class MigrationsMatchModelTests
{
    [Fact]
    public void Sqlite_NoModelChangeIsMissingAMigration()
    {
        using var store = TestStore.Create(TestStoreKind.Sqlite);
        using var db = store.Contexts.CreateDbContext();
        db.Database.HasPendingModelChanges().Should().BeFalse(
            "every model change needs `dotnet ef migrations add NAME --project src/Octopus.Persistence.Sqlite --startup-project src/Octopus.Persistence.Sqlite`");
        db.Database.GetPendingMigrations().Should().BeEmpty();
    }

    [Fact]
    public void Postgres_NoModelChangeIsMissingAMigration()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        using var db = store.Contexts.CreateDbContext();
        db.Database.HasPendingModelChanges().Should().BeFalse(
            "every model change needs `dotnet ef migrations add NAME --project src/Octopus.Persistence.Postgres --startup-project src/Octopus.Persistence.Postgres`");
        db.Database.GetPendingMigrations().Should().BeEmpty();
    }
}
