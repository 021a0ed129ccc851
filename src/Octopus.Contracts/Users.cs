namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/users</c> (admin). Role: "user" (default) or "admin".</summary>
public sealed record UserCreateRequest(string Username, string Password, string? Role = null, QuotaDto? Quota = null);

public sealed record UserDto(string Id, string Username, string Role, QuotaDto Quota, QuotaUsageDto Usage, DateTimeOffset CreatedAt,
    bool Disabled = false, string Provider = "local");

/// <summary>Per-user limits; null means unlimited.</summary>
public sealed record QuotaDto(int? MaxCores = null, long? MaxMemoryBytes = null, long? MaxDiskBytes = null, int? MaxVms = null);

public sealed record QuotaUsageDto(int Cores, long MemoryBytes, long DiskBytes, int Vms);
