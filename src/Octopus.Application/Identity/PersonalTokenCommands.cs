using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Identity;

/// <summary>Personal API tokens: named, with an expiry and scopes, created by their owner, listed and revoked by their
/// owner or an administrator. A token never has more rights than its owner: <c>admin</c> only for admins.</summary>
public sealed class PersonalTokenCommands(OctopusDbContext db, CommandRunner runner, TokenService tokens, TimeProvider time)
{
    public const int DefaultDays = 90;
    public const int MaxDays = 365;

    public async Task<TokenCreatedDto> CreateAsync(Caller caller, TokenCreateRequest? request, CancellationToken ct)
    {
        var dto = await runner.RunAsync(caller, Permissions.TokenCreate, $"user/{caller.Name}", async ct =>
        {
            if (request is null) throw DomainException.Invalid("body", "Send {name, scopes: [\"read\"|\"write\"|\"admin\"], expiresInDays}.");
            var name = (request.Name ?? "").Trim();
            if (name.Length is 0 or > 64 || name.Any(char.IsControl))
                throw DomainException.Invalid("name", "Name the token: 1-64 printable characters, e.g. \"ci-deploy\".");
            var scopes = request.Scopes is { Count: > 0 } s ? TokenScopeRules.Parse(s) : TokenScopes.Read | TokenScopes.Write;
            if (scopes.HasFlag(TokenScopes.Admin) && !caller.IsAdmin)
                throw new DomainException(ErrorKind.Forbidden, "token.scope", "Only administrators (with an admin-scoped login) may create admin-scoped tokens.", "scopes");
            var days = request.ExpiresInDays ?? DefaultDays;
            if (days is < 1 or > MaxDays) throw DomainException.Invalid("expiresInDays", $"A token lives 1-{MaxDays} days; {days} is out of range.");
            if (await db.ApiTokens.AnyAsync(t => t.UserId == caller.Id && t.Kind == TokenService.PersonalKind && t.Name == name, ct))
                throw DomainException.Conflict("token.duplicate", $"You already have a token named '{name}'; revoke it or pick another name.");
            var (token, expires) = await tokens.CreateAsync(caller.Id, TokenService.PersonalKind, name, scopes,
                time.GetUtcNow().AddDays(days), ct, save: false);
            return new TokenCreatedDto(0, name, token, TokenScopeRules.Names(scopes), expires);
        }, ct, t => $"'{t.Name}' ({string.Join(' ', t.Scopes)}) until {t.ExpiresAt:yyyy-MM-dd}");
        // The row's id exists only once the runner saved it with the audit entry.
        var id = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == caller.Id && t.Kind == TokenService.PersonalKind && t.Name == dto.Name)
            .Select(t => t.Id).FirstAsync(ct);
        return dto with { Id = id };
    }

    /// <summary>Tokens of the caller, or of <paramref name="username"/> (admin), or of everyone (<c>all</c>, admin).
    /// Expired tokens are not listed. The token values themselves are never shown again.</summary>
    public async Task<IReadOnlyList<TokenDto>> ListAsync(Caller caller, string? username, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var q = db.ApiTokens.AsNoTracking().Where(t => t.ExpiresAt > now);
        if (username is null || username == caller.Name) q = q.Where(t => t.UserId == caller.Id);
        else
        {
            Permissions.TokenListOthers.Authorize(caller);
            if (username != "all")
            {
                var name = UserName.Parse(username, "user");
                var id = await db.Users.AsNoTracking().Where(u => u.Name == name).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct)
                    ?? throw DomainException.NotFound("User", username);
                q = q.Where(t => t.UserId == id);
            }
        }
        var rows = await q.ToListAsync(ct);
        var ids = rows.Select(r => r.UserId).Distinct().ToList();
        var names = (await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Name }).ToListAsync(ct))
            .ToDictionary(u => u.Id, u => u.Name.Value);
        return [.. rows.OrderBy(r => r.Id).Select(r => new TokenDto(r.Id, names.GetValueOrDefault(r.UserId, "?"), r.Kind, r.Name,
            TokenScopeRules.Names(TokenScopeRules.Parse(r.Scopes)), r.CreatedAt, r.ExpiresAt))];
    }

    /// <summary>Revokes one token (its owner or an admin); it stops working at the next request.</summary>
    public Task<bool> RevokeAsync(Caller caller, long id, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.TokenRevoke, $"token/{id}", async ct =>
        {
            var row = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, ct);
            // Another user's token is "not found" to a non-admin, so ids reveal nothing.
            if (row is null || (row.UserId != caller.Id && !caller.IsAdmin)) throw DomainException.NotFound("Token", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            db.ApiTokens.Remove(row);
            return true;
        }, ct);
}
