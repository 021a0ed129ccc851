using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Auditing;
using Octopus.Domain.Users;
using Octopus.Persistence;

namespace Octopus.Application.Identity;

/// <summary>Checks a login, in the order that keeps it cheap and quiet: a locked name is refused before any hashing;
/// the password goes to the configured provider (local users, the break-glass admin among them, always to the store);
/// every failure counts towards the name's lockout and is audited, as is every lockout and every success. Unknown
/// names, wrong passwords and directory users with a wrong password get the same 401.</summary>
public sealed class LoginService(OctopusDbContext db, LoginThrottle throttle, PasswordHashing hashing, IdentityProviders providers,
    TimeProvider time)
{
    /// <summary>The user for a correct name and password, or a <see cref="DomainException"/> (401 wrong credentials,
    /// 403 disabled) or <see cref="LoginRefusedException"/> (429 locked or busy).</summary>
    public async Task<User> LoginAsync(string? username, string? password, string? address, CancellationToken ct)
    {
        try
        {
            return await TryLoginAsync(username, password, address, ct);
        }
        catch (DbUpdateException)
        {
            // Two first logins of the same directory user at once: both made the user, the store kept one. The second
            // finds it now. (A real store failure fails again and surfaces.)
            db.ChangeTracker.Clear();
            return await TryLoginAsync(username, password, address, ct);
        }
    }

    private async Task<User> TryLoginAsync(string? username, string? password, string? address, CancellationToken ct)
    {
        var key = LoginThrottle.KeyOf(username);
        await throttle.EnsureNotLockedAsync(key, ct);
        var name = TryParseName(username);
        var from = address is null ? "" : $" from {address}";
        var actor = name?.Value ?? "(invalid name)";
        User? user = null;
        if (name is { } n && !string.IsNullOrEmpty(password))
        {
            var provider = await providers.ForAsync(n, ct);
            try
            {
                user = (await provider.AuthenticateAsync(n, password, ct)).User;
            }
            catch (Exception e) when (e is IdentityProviderUnavailableException or DomainException)
            {
                // The directory is down, or the user may not use Octopus (right password, no mapped group): audited,
                // not counted towards a lockout.
                db.ChangeTracker.Clear();
                Audit(actor, "auth.login", false, $"{provider.Name}: {e.Message}{from}");
                await db.SaveChangesAsync(ct);
                throw;
            }
        }
        else
        {
            await hashing.VerifyAsync(null, password ?? "", ct); // same cost as a real check
        }
        if (user is null)
        {
            db.ChangeTracker.Clear();
            var (failures, lockout) = await throttle.RecordFailureAsync(key, ct);
            Audit(actor, "auth.login", false, $"wrong user name or password{from} ({failures} in a row)");
            if (lockout > TimeSpan.Zero)
                Audit(actor, "auth.lockout", false, $"locked for {lockout} after {failures} failed logins{from}");
            await db.SaveChangesAsync(ct);
            throw new DomainException(ErrorKind.Unauthenticated, "auth.bad-credentials", "Wrong user name or password.");
        }
        if (user.IsDisabled)
        {
            db.ChangeTracker.Clear();
            Audit(actor, "auth.login", false, $"account disabled{from}");
            await db.SaveChangesAsync(ct);
            throw new DomainException(ErrorKind.Forbidden, "auth.disabled", $"The account '{user.Name}' is disabled; ask an administrator to enable it.",
                args: new Dictionary<string, object> { ["user"] = user.Name.ToString() });
        }
        await throttle.ResetAsync(key, ct);
        Audit(actor, "auth.login", true, $"ok via {user.Provider}{from}");
        await db.SaveChangesAsync(ct); // also saves what the provider changed (a user made or updated from the directory)
        return user;
    }

    private void Audit(string actor, string action, bool ok, string result) =>
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), actor, action, $"user/{actor}", ok, result));

    private static UserName? TryParseName(string? text)
    {
        try { return UserName.Parse(text?.Trim().ToLowerInvariant()); }
        catch (DomainException) { return null; }
    }
}
