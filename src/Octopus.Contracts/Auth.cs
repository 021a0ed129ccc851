namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/auth/token</c>.</summary>
public sealed record TokenRequest(string Username, string Password);

/// <summary>A bearer token for <c>Authorization: Bearer …</c>.</summary>
public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Username, string Role);

/// <summary><c>GET /api/v1/me</c>: who the token belongs to. <see cref="Provider"/> says where the account lives:
/// <c>local</c> (its password is Octopus's) or the identity provider that created it at first login (<c>ldap</c>: the
/// password is the directory's).</summary>
public sealed record MeDto(string Username, string Role, QuotaDto Quota, QuotaUsageDto Usage, string Provider = "local");
