using Microsoft.EntityFrameworkCore;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>The SQLite migrations describe the model exactly: a model change without its migration would make a
/// fresh store differ from the code (and EF refuses to migrate with pending model changes).</summary>
public sealed class MigrationsMatchModelTests
{
    [Fact]
    public void Sqlite_NoModelChangeIsMissingAMigration()
    {
        using var store = TestStore.Create();
        using var db = store.Contexts.CreateDbContext();
        db.Database.HasPendingModelChanges().Should().BeFalse(
            "every model change needs `dotnet ef migrations add NAME --project src/Octopus.Persistence.Sqlite --startup-project src/Octopus.Persistence.Sqlite`");
        db.Database.GetPendingMigrations().Should().BeEmpty();
    }
}
