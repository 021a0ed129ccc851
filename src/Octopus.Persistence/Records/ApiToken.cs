using Octopus.Domain.Users;

namespace Octopus.Persistence.Records;

/// <summary>An issued bearer token or web session. Only its SHA-256 hash is stored, so a leaked database leaks no
/// usable token. Revoking deletes the row.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public string TokenHash { get; set; } = "";
    public UserId UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary><c>login</c> (from a password), <c>session</c> (the web UI's cookie) or <c>personal</c> (named, made by
    /// <c>octopus token create</c>).</summary>
    public string Kind { get; set; } = "login";

    /// <summary>The owner's name for a personal token; null for login tokens and sessions.</summary>
    public string? Name { get; set; }

    /// <summary>Space-separated scopes (<c>read</c>, <c>write</c>, <c>admin</c>); login tokens and sessions have all three.</summary>
    public string Scopes { get; set; } = "read write admin";
}
