namespace Octopus.Domain.Users;

/// <summary>A public key in a user's profile, by a name they chose (unique per user); VMs created with
/// <c>--ssh-key NAME</c> get it. Kept as the checked key line.</summary>
public sealed class SshKey
{
    /// <summary>How many keys one profile may hold.</summary>
    public const int MaxPerUser = 32;

    private SshKey() { } // for the store

    public UserId UserId { get; private set; }
    public string Name { get; private set; } = "";
    public string PublicKey { get; private set; } = "";
    public string Fingerprint { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public SshPublicKey Key => SshPublicKey.Parse(PublicKey);

    /// <summary>Adds <paramref name="key"/> as <paramref name="name"/> to the profile, refused when the name or the key is
    /// there already, or the profile is full.</summary>
    public static SshKey Add(UserId user, string? name, SshPublicKey key, IReadOnlyList<SshKey> existing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(existing);
        var checkedName = ParseName(name);
        if (existing.Any(k => k.Name == checkedName))
            throw DomainException.Conflict("key.duplicate-name", $"You already have a key named '{checkedName}'; remove it first or choose another name.");
        if (existing.FirstOrDefault(k => k.Fingerprint == key.Fingerprint) is { } same)
            throw DomainException.Conflict("key.duplicate", $"This key is already in your profile as '{same.Name}' ({key.Fingerprint}).");
        if (existing.Count >= MaxPerUser)
            throw DomainException.Invalid("name", $"Your profile holds {existing.Count} keys, the most allowed ({MaxPerUser}); remove one first.");
        return new SshKey { UserId = user, Name = checkedName, PublicKey = key.ToString(), Fingerprint = key.Fingerprint, CreatedAt = now };
    }

    /// <summary>1–40 characters: lower-case letters, digits, '-', '_' and '.', starting with a letter or digit.</summary>
    public static string ParseName(string? name)
    {
        var n = name?.Trim() ?? "";
        if (n.Length is 0 or > 40 || !char.IsAsciiLetterLower(n[0]) && !char.IsAsciiDigit(n[0])
            || !n.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            throw DomainException.Invalid("name", $"'{name}' is not a key name; use 1-40 lower-case letters, digits, '-', '_' or '.', e.g. laptop.");
        return n;
    }
}
