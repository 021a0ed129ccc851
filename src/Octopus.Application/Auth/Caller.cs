using System.Security.Claims;
using Octopus.Domain;
using Octopus.Domain.Users;

namespace Octopus.Application.Auth;

/// <summary>Who is asking: every command and query takes one, and authorisation is decided from it alone.</summary>
public sealed record Caller(UserId Id, string Name, bool IsAdmin)
{
    /// <summary>The control loops act as "system", with admin rights.</summary>
    public static Caller System { get; } = new(new UserId(Guid.Empty), "system", true);

    public static Caller From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (id is null || !UserId.TryParse(id, out var userId))
            throw new DomainException(ErrorKind.Unauthenticated, "auth.required", "Authentication required: send 'Authorization: Bearer TOKEN' (get one from POST /api/v1/auth/token).");
        // An admin's token without the 'admin' scope acts as an ordinary user (Identity/TokenScopes).
        var admin = principal.IsInRole(nameof(UserRole.Admin)) && Identity.TokenScopeRules.Of(principal).HasFlag(Identity.TokenScopes.Admin);
        return new Caller(userId, principal.Identity?.Name ?? "", admin);
    }
}
