namespace Octopus.Domain.Users;

/// <summary>A person or program that logs in. Passwords are stored only as a hash made by the server's hasher; a user
/// from a directory (<see cref="Provider"/> other than <c>local</c>) has no password here and an <see cref="ExternalId"/>.</summary>
public sealed class User
{
    public const string LocalProvider = "local";

    private User() { } // for the store

    public UserId Id { get; private set; }
    public UserName Name { get; private set; }
    public UserRole Role { get; private set; }
    public string PasswordHash { get; private set; } = "";
    public Quota Quota { get; private set; } = Quota.Unlimited;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Where the user's password is checked: <c>local</c> (this store) or a directory (<c>ldap</c>).</summary>
    public string Provider { get; private set; } = LocalProvider;

    /// <summary>The directory's stable id for the user (its DN), null for local users.</summary>
    public string? ExternalId { get; private set; }

    /// <summary>Set while the user is disabled: no login, and every token and session they hold is refused.</summary>
    public DateTimeOffset? DisabledAt { get; private set; }

    public bool IsAdmin => Role == UserRole.Admin;
    public bool IsDisabled => DisabledAt is not null;
    public bool IsLocal => Provider == LocalProvider;

    public static User Create(UserName name, UserRole role, string passwordHash, Quota quota, DateTimeOffset now) => new()
    {
        Id = UserId.New(), Name = name, Role = role, PasswordHash = passwordHash, Quota = quota, CreatedAt = now,
    };

    /// <summary>A user created at their first directory login ("just in time"); they have no local password.</summary>
    public static User FromDirectory(UserName name, string provider, string externalId, UserRole role, Quota quota, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(provider) || provider == LocalProvider)
            throw new ArgumentException("A directory user needs a directory provider.", nameof(provider));
        return new User
        {
            Id = UserId.New(), Name = name, Role = role, Quota = quota, CreatedAt = now, Provider = provider, ExternalId = externalId,
        };
    }

    /// <summary>Sets a new local password hash; a directory user's password lives in the directory.</summary>
    public void SetPasswordHash(string hash)
    {
        if (!IsLocal)
            throw DomainException.Conflict("user.external-password",
                $"User '{Name}' logs in through the {Provider} directory; change the password there.");
        PasswordHash = hash;
    }

    /// <summary>Records the directory entry a directory user logged in as (their DN changes when the entry moves).</summary>
    public void LinkDirectoryEntry(string externalId)
    {
        if (IsLocal) throw new InvalidOperationException($"User '{Name}' is local; only directory users have an external id.");
        ExternalId = externalId;
    }

    public void SetQuota(Quota quota) => Quota = quota;
    public void SetRole(UserRole role) => Role = role;

    public void Disable(DateTimeOffset now) => DisabledAt ??= now;
    public void Enable() => DisabledAt = null;
}
