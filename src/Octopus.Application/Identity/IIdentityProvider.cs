using Octopus.Domain.Users;

namespace Octopus.Application.Identity;

/// <summary>Where passwords are checked. Chosen by <c>Octopus:Identity:Provider</c>; the local store always remains
/// as break-glass for local users (the first admin).</summary>
public interface IIdentityProvider
{
    /// <summary>The provider's name as configured and as stored on users it created (<c>local</c>, <c>ldap</c>).</summary>
    string Name { get; }

    /// <summary>Checks a name and password. Must cost the same whether or not the name exists. Returns the user
    /// (created or updated in the store's change tracker, not yet saved) or a failure; throws
    /// <see cref="IdentityProviderUnavailableException"/> when the provider cannot be asked.</summary>
    Task<AuthenticationResult> AuthenticateAsync(UserName name, string password, CancellationToken ct);
}

/// <summary>The outcome of a password check.</summary>
public sealed record AuthenticationResult(User? User)
{
    public static AuthenticationResult Failed { get; } = new((User?)null);
    public bool Succeeded => User is not null;
}

/// <summary>The identity provider cannot be reached or misbehaves (503 <c>auth.provider-unavailable</c>).</summary>
public sealed class IdentityProviderUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
