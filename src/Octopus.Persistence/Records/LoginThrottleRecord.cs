namespace Octopus.Persistence.Records;

/// <summary>Failed logins for one login name, existing user or not (so a lockout says nothing about which names exist).
/// Cleared by a successful login.</summary>
public sealed class LoginThrottleRecord
{
    /// <summary>The login name as typed (trimmed, lower-case, at most 64 characters).</summary>
    public string Name { get; set; } = "";

    /// <summary>Consecutive failures since the last success.</summary>
    public int Failures { get; set; }

    public DateTimeOffset LastFailureAt { get; set; }

    /// <summary>No login for this name is checked before this instant.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}
