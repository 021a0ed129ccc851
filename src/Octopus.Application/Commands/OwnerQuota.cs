using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Commands;

/// <summary>Serialises one owner's quota and VM-name decisions through the owner's <see cref="OwnerQuotaLockRecord"/>,
/// so concurrent creates cannot together pass a quota or share a name (a unique index on owner and name backs the latter).</summary>
public static class OwnerQuota
{
    /// <summary>Claims the owner's decision slot and returns what the owner's VMs hold now. Call it before every read the
    /// decision depends on (usage, names taken) and save the change in the same <c>SaveChanges</c>: the save then
    /// commits only if no other decision for this owner committed since the claim, and otherwise fails with a
    /// concurrency conflict, which <see cref="CommandRunner"/> answers by running the command again on fresh state.
    /// The row is created on the owner's first claim (a user created before this table, or since); two first claims at
    /// once collide on its key and the runner retries the loser in the same way. In practice the claim first waits for
    /// the owner's other decisions to commit (<see cref="Octopus.Persistence.Providers.IStoreProvider.LockOwnerAsync"/>:
    /// PostgreSQL locks the owner's row, SQLite takes the file's write lock), so the check that follows never fails and
    /// nobody spins; the transaction it opens is committed or rolled back by <see cref="CommandRunner"/>.</summary>
    public static async Task<QuotaUsage> ClaimAsync(OctopusDbContext db, UserId owner, CancellationToken ct)
    {
        await db.Provider.LockOwnerAsync(db, owner, ct);
        // Read the row before the usage: a decision committed after this read bumps the version, so ours cannot commit.
        var row = await db.OwnerQuotaLocks.FirstOrDefaultAsync(l => l.UserId == owner, ct);
        if (row is null) db.OwnerQuotaLocks.Add(new OwnerQuotaLockRecord { UserId = owner });
        else row.Version++;
        return await VmCommands.UsageAsync(db, owner, ct);
    }
}
