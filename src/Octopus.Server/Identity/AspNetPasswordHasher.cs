using Octopus.Application.Identity;
using Octopus.Domain.Users;

namespace Octopus.Server.Identity;

/// <summary>Octopus's password hashes are ASP.NET Core Identity's (PBKDF2, format v3): existing hashes keep verifying,
/// and a hash in an older format is accepted as the Identity hasher accepts it.</summary>
public sealed class AspNetPasswordHasher : IPasswordHasher
{
    private readonly Microsoft.AspNetCore.Identity.PasswordHasher<User> _hasher = new();

    public string HashPassword(User user, string password) => _hasher.HashPassword(user, password);

    public bool VerifyHashedPassword(User user, string hashedPassword, string providedPassword) =>
        _hasher.VerifyHashedPassword(user, hashedPassword, providedPassword) != Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed;
}
