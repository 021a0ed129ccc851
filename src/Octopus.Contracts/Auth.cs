namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/auth/token</c>.</summary>
public sealed record TokenRequest(string Username, string Password);

/// <summary>A bearer token for <c>Authorization: Bearer …</c>.</summary>
public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Username, string Role);

/// <summary><c>GET /api/v1/me</c>: who the token belongs to.</summary>
public sealed record MeDto(string Username, string Role, QuotaDto Quota, QuotaUsageDto Usage);
