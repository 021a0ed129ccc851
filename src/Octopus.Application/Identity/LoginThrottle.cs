using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Identity;

/// <summary>Per-name lockout with exponential back-off, kept in the store (so every replica agrees and a restart does
/// not unlock). It counts names as typed, existing or not: a locked name says nothing about whether the user exists.
/// The arithmetic is <see cref="LoginSettings.LockoutAfter"/>.</summary>
public sealed class LoginThrottle(OctopusDbContext db, LoginSettings settings, TimeProvider time)
{
    public const int MaxKeyLength = 64;

    /// <summary>The throttle key of a typed name: trimmed, lower-case, at most 64 characters.</summary>
    public static string KeyOf(string? username)
    {
        var key = (username ?? "").Trim().ToLowerInvariant();
        return key.Length > MaxKeyLength ? key[..MaxKeyLength] : key;
    }

    /// <summary>Throws <see cref="LoginRefusedException"/> <c>auth.locked</c> while <paramref name="key"/> is locked.</summary>
    public async Task EnsureNotLockedAsync(string key, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var row = await db.LoginThrottle.AsNoTracking().FirstOrDefaultAsync(t => t.Name == key, ct);
        if (row?.LockedUntil is { } until && until > now)
            throw Locked(until - now);
    }

    /// <summary>Counts one failure (restarting the count when the last one is older than the failure window) and locks
    /// the name when the count reaches the limit. Returns the count and the lockout it started, if any.</summary>
    public async Task<(int Failures, TimeSpan Lockout)> RecordFailureAsync(string key, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stale = now - settings.FailureWindow;
        // One UPDATE, so concurrent failures all count; the first failure of a name inserts its row.
        for (var attempt = 0; ; attempt++)
        {
            var updated = await db.LoginThrottle.Where(t => t.Name == key).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Failures, t => t.LastFailureAt < stale ? 1 : t.Failures + 1)
                .SetProperty(t => t.LastFailureAt, now), ct);
            if (updated > 0) break;
            db.LoginThrottle.Add(new LoginThrottleRecord { Name = key, Failures = 1, LastFailureAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear(); // another request inserted it first: count on its row
            }
        }
        var failures = await db.LoginThrottle.AsNoTracking().Where(t => t.Name == key).Select(t => t.Failures).FirstAsync(ct);
        var lockout = settings.LockoutAfter(failures);
        if (lockout > TimeSpan.Zero)
        {
            var until = now + lockout;
            await db.LoginThrottle.Where(t => t.Name == key).ExecuteUpdateAsync(s => s.SetProperty(t => t.LockedUntil, until), ct);
        }
        return (failures, lockout);
    }

    /// <summary>A successful login clears the name's failures.</summary>
    public Task ResetAsync(string key, CancellationToken ct) => db.LoginThrottle.Where(t => t.Name == key).ExecuteDeleteAsync(ct);

    /// <summary>Administrators unlock a name by hand (e.g. after helping the user).</summary>
    public Task<int> UnlockAsync(string key, CancellationToken ct) => db.LoginThrottle.Where(t => t.Name == key).ExecuteDeleteAsync(ct);

    internal static LoginRefusedException Locked(TimeSpan left) => new("auth.locked",
        $"Too many failed logins for this name; it is locked for {Math.Max(1, (int)Math.Ceiling(left.TotalSeconds))} s more. " +
        "Wait and try again, or ask an administrator to unlock it.", left);
}
