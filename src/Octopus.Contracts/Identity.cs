namespace Octopus.Contracts;

/// <summary><c>PUT /api/v1/me/password</c>: change your own password (local accounts).</summary>
public sealed record PasswordChangeRequest(string CurrentPassword, string NewPassword);

/// <summary><c>PUT /api/v1/users/{name}/password</c> (admin): set a user's password; their logins and sessions end.</summary>
public sealed record PasswordResetRequest(string NewPassword);

/// <summary><c>POST /api/v1/tokens</c>: a named personal token. Scopes: <c>read</c>, <c>write</c> (implies read),
/// <c>admin</c> (admins only; implies both). Expiry 1-365 days, default 90.</summary>
public sealed record TokenCreateRequest(string Name, IReadOnlyList<string>? Scopes = null, int? ExpiresInDays = null);

/// <summary>A personal token as created: <see cref="Token"/> is shown only this once.</summary>
public sealed record TokenCreatedDto(long Id, string Name, string Token, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

/// <summary>A token as listed: never the token itself. <see cref="Kind"/> is <c>personal</c>, <c>login</c> or <c>session</c>.</summary>
public sealed record TokenDto(long Id, string User, string Kind, string? Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Answer to <c>DELETE /api/v1/users/{name}</c> while the user's VMs are still being deleted (202): run it again
/// once they are gone.</summary>
public sealed record UserDeletionDto(string Username, int VmsBeingDeleted, string Detail);
