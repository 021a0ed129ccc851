namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/users</c> (admin). Role: "user" (default) or "admin".</summary>
public sealed record UserCreateRequest(string Username, string Password, string? Role = null, QuotaDto? Quota = null);

public sealed record UserDto(string Id, string Username, string Role, QuotaDto Quota, QuotaUsageDto Usage, DateTimeOffset CreatedAt,
    bool Disabled = false, string Provider = "local");

/// <summary>Per-user limits; null means unlimited.</summary>
public sealed record QuotaDto(int? MaxCores = null, long? MaxMemoryBytes = null, long? MaxDiskBytes = null, int? MaxVms = null);

public sealed record QuotaUsageDto(int Cores, long MemoryBytes, long DiskBytes, int Vms);

/// <summary>Body of <c>POST /api/v1/me/ssh-keys</c>: a public key for the caller's profile under a name of their choice
/// (1-40 lower-case letters, digits, '-', '_', '.'); <see cref="PublicKey"/> is one line of a .pub file (ssh-ed25519,
/// ssh-rsa or ecdsa-sha2-nistp256/384/521).</summary>
public sealed record SshKeyRequest(string Name, string PublicKey);

/// <summary>A public key in the caller's profile.</summary>
/// <param name="Name">The name VMs are created with (<c>--ssh-key NAME</c>).</param>
/// <param name="Type">The key type, e.g. ssh-ed25519.</param>
/// <param name="Fingerprint">OpenSSH's SHA256 fingerprint, as <c>ssh-keygen -lf</c> prints it.</param>
/// <param name="Comment">The key line's comment (often user@host), or empty.</param>
/// <param name="CreatedAt">When it was added.</param>
public sealed record SshKeyDto(string Name, string Type, string Fingerprint, string Comment, DateTimeOffset CreatedAt);
