using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Server.Configuration;

namespace Octopus.Server.Auth;

/// <summary>Checks passwords (ASP.NET Core Identity's PBKDF2 hasher) and issues and resolves opaque bearer tokens,
/// of which only a SHA-256 hash is stored.</summary>
public sealed class TokenService(OctopusDbContext db, IPasswordHasher<User> hasher, ServerSettings settings, TimeProvider time)
{
    /// <summary>Issues a token for a correct user name and password; the same vague 401 for any mistake, so a caller
    /// cannot learn which user names exist.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt, User User)> IssueAsync(string? username, string? password, CancellationToken ct)
    {
        User? user = null;
        if (TryParseName(username, out var name)) user = await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null || string.IsNullOrEmpty(password) ||
            hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
            throw new DomainException(ErrorKind.Unauthenticated, "auth.bad-credentials", "Wrong user name or password.");

        var now = time.GetUtcNow();
        var token = "oct_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = now + settings.TokenLifetime;
        db.ApiTokens.Add(new ApiToken { TokenHash = Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = expires });
        await db.SaveChangesAsync(ct);
        return (token, expires, user);
    }

    /// <summary>The user a token belongs to, or null when it is unknown or expired.</summary>
    public async Task<User?> ResolveAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        var row = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (row is null || row.ExpiresAt <= now) return null;
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == row.UserId, ct);
    }

    private static bool TryParseName(string? text, out UserName name)
    {
        try { name = UserName.Parse(text?.Trim()); return true; }
        catch (DomainException) { name = default; return false; }
    }

    internal static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
