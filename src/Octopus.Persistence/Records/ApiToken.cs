using Octopus.Domain.Users;

namespace Octopus.Persistence.Records;

/// <summary>An issued bearer token. Only its SHA-256 hash is stored, so a leaked database leaks no usable token.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public string TokenHash { get; set; } = "";
    public UserId UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
