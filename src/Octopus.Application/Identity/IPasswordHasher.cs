using Octopus.Domain.Users;

namespace Octopus.Application.Identity;

/// <summary>Hashes local passwords and checks them (the host supplies the algorithm: the server uses ASP.NET Core
/// Identity's PBKDF2 format, see Octopus.Server's <c>AspNetPasswordHasher</c>). <see cref="PasswordHashing"/> is the only
/// caller that checks; it bounds how many run at once.</summary>
public interface IPasswordHasher
{
    string HashPassword(User user, string password);

    /// <summary>True when <paramref name="providedPassword"/> matches <paramref name="hashedPassword"/>.</summary>
    bool VerifyHashedPassword(User user, string hashedPassword, string providedPassword);
}
