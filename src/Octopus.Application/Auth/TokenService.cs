using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Application.Configuration;
using Octopus.Application.Identity;

namespace Octopus.Application.Auth;

/// <summary>A token that resolved: whose it is and what it may do.</summary>
public sealed record ResolvedToken(User User, TokenScopes Scopes)
{
    /// <summary>The claims the authentication handlers put in the principal.</summary>
    public ClaimsIdentity ToIdentity(string scheme) => new(
        [
            new Claim(ClaimTypes.NameIdentifier, User.Id.ToString()),
            new Claim(ClaimTypes.Name, User.Name.Value),
            new Claim(ClaimTypes.Role, User.Role.ToString()),
            .. TokenScopeRules.Claims(Scopes),
        ], scheme);
}

/// <summary>Issues opaque bearer tokens and web sessions after <see cref="LoginService"/> accepted a login, and resolves
/// them; only a SHA-256 hash of a token is stored.</summary>
public sealed class TokenService(OctopusDbContext db, LoginService login, Microsoft.Extensions.Options.IOptions<AuthOptions> auth, TimeProvider time,
    TokenCache cache)
{
    public const string LoginKind = "login";
    public const string SessionKind = "session";
    public const string PersonalKind = "personal";

    /// <summary>Issues a login token (or a web session) for a correct user name and password.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt, User User)> IssueAsync(string? username, string? password, string? address,
        CancellationToken ct, string kind = LoginKind)
    {
        var user = await login.LoginAsync(username, password, address, ct);
        var (token, expires) = await CreateAsync(user.Id, kind, null, TokenScopes.All, time.GetUtcNow() + auth.Value.TokenLifetime, ct);
        return (token, expires, user);
    }

    /// <summary>Stores a new token and returns it; the caller saves nothing else.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> CreateAsync(UserId user, string kind, string? name, TokenScopes scopes,
        DateTimeOffset expires, CancellationToken ct, bool save = true)
    {
        var token = "oct_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        db.ApiTokens.Add(new ApiToken
        {
            TokenHash = Hash(token), UserId = user, CreatedAt = time.GetUtcNow(), ExpiresAt = expires, Kind = kind, Name = name,
            Scopes = TokenScopeRules.Format(scopes),
        });
        if (save) await db.SaveChangesAsync(ct);
        return (token, expires);
    }

    /// <summary>The user a token belongs to and its scopes, or null when it is unknown, expired or revoked, or its user
    /// is disabled. A token resolved in the last <see cref="TokenCache.Ttl"/> is answered from <see cref="TokenCache"/>
    /// without a query; revoking it or disabling its user through this process takes effect at once, through another
    /// replica within that time.</summary>
    public async Task<ResolvedToken?> ResolveAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        if (cache.Get(hash) is { } known) return known;
        var stamp = cache.Stamp();
        var now = time.GetUtcNow();
        // One query (the token joined to its user), not two, when the cache does not have it.
        var row = await db.ApiTokens.AsNoTracking().Where(t => t.TokenHash == hash)
            .Join(db.Users.AsNoTracking(), t => t.UserId, u => u.Id, (t, u) => new { t.ExpiresAt, t.Scopes, User = u })
            .FirstOrDefaultAsync(ct);
        if (row is null || row.ExpiresAt <= now || row.User.IsDisabled) return null;
        var resolved = new ResolvedToken(row.User, TokenScopeRules.Parse(row.Scopes));
        cache.Set(hash, resolved, row.ExpiresAt, stamp);
        return resolved;
    }

    internal static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
