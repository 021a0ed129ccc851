namespace Octopus.Domain.Users;

/// <summary>A person or program that logs in. Passwords are stored only as a hash made by the server's hasher.</summary>
public sealed class User
{
    private User() { } // for the store

    public UserId Id { get; private set; }
    public UserName Name { get; private set; }
    public UserRole Role { get; private set; }
    public string PasswordHash { get; private set; } = "";
    public Quota Quota { get; private set; } = Quota.Unlimited;
    public DateTimeOffset CreatedAt { get; private set; }

    public bool IsAdmin => Role == UserRole.Admin;

    public static User Create(UserName name, UserRole role, string passwordHash, Quota quota, DateTimeOffset now) => new()
    {
        Id = UserId.New(), Name = name, Role = role, PasswordHash = passwordHash, Quota = quota, CreatedAt = now,
    };

    public void SetPasswordHash(string hash) => PasswordHash = hash;
    public void SetQuota(Quota quota) => Quota = quota;
    public void SetRole(UserRole role) => Role = role;
}
