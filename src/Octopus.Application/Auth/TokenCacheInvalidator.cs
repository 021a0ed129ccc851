using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Octopus.Domain.Users;
using Octopus.Persistence.Records;

namespace Octopus.Application.Auth;

/// <summary>Forgets the cached tokens (<see cref="TokenCache"/>) a save changes: the tokens it deletes or changes, and
/// every token of a user it changes or deletes. Before the save (so nothing reads the old value from the cache while it
/// commits) and again after it (so a read that raced the commit and cached the old row is dropped).</summary>
public sealed class TokenCacheInvalidator(TokenCache cache) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Changed> _pending = [];

    private sealed record Changed(List<string> Hashes, List<UserId> Users);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Forget(eventData.Context, after: true);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context, after: true);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context, after: true);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context, after: true);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? db)
    {
        if (db is null) return;
        var hashes = new List<string>();
        var users = new List<UserId>();
        // Only tokens and users are looked at, so only their entries are compared with their snapshots: ChangeTracker.Entries()
        // would detect changes on every tracked entity, a second full pass over them before the save's own (a placement pass
        // or a bulk action tracks thousands).
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var e in db.ChangeTracker.Entries())
            {
                if (e.Entity is not (ApiToken or User)) continue;
                if (detect) e.DetectChanges();
                if (e.State is not (EntityState.Modified or EntityState.Deleted)) continue;
                if (e.Entity is ApiToken t) hashes.Add(t.TokenHash);
                else if (e.Entity is User u) users.Add(u.Id);
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        if (hashes.Count == 0 && users.Count == 0) return;
        _pending.AddOrUpdate(db, new Changed(hashes, users));
        Forget(db, after: false);
    }

    private void Forget(DbContext? db, bool after)
    {
        if (db is null || !_pending.TryGetValue(db, out var changed)) return;
        if (after) _pending.Remove(db);
        foreach (var h in changed.Hashes) cache.ForgetToken(h);
        foreach (var u in changed.Users) cache.ForgetUser(u);
    }
}
