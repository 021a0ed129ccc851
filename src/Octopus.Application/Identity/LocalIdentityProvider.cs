using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Users;
using Octopus.Persistence;

namespace Octopus.Application.Identity;

/// <summary>Passwords hashed in the store (ASP.NET Core Identity's PBKDF2). An unknown name, or a directory user, is
/// checked against a dummy hash so it costs what a real check costs.</summary>
public sealed class LocalIdentityProvider(OctopusDbContext db, PasswordHashing hashing) : IIdentityProvider
{
    public string Name => User.LocalProvider;

    public async Task<AuthenticationResult> AuthenticateAsync(UserName name, string password, CancellationToken ct)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Name == name, ct);
        var local = user is { IsLocal: true } ? user : null;
        return await hashing.VerifyAsync(local, password, ct) ? new AuthenticationResult(local) : AuthenticationResult.Failed;
    }
}
