namespace Octopus.Contracts;

/// <summary>Answer to <c>POST /api/v1/auth/session</c> (the web login). The session itself travels in an HttpOnly
/// cookie; <see cref="CsrfToken"/> (also in the readable <c>octopus_csrf</c> cookie) must be sent back as the
/// <c>X-CSRF-Token</c> header on every POST, PUT, PATCH and DELETE made with that cookie.</summary>
public sealed record SessionDto(string Username, string Role, DateTimeOffset ExpiresAt, string CsrfToken);

/// <summary>Data of the <c>vm-deleted</c> server-sent event on <c>GET /api/v1/events</c>.</summary>
public sealed record VmDeletedEvent(string Id, string Name, string Owner);
