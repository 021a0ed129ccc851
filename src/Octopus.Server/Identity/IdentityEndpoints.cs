using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Queries;

using Octopus.Application.Identity;

namespace Octopus.Server.Identity;

/// <summary>The credential-lifecycle endpoints under /api/v1: own password, admin reset, disable/enable/delete/unlock a
/// user, personal tokens. Handlers only translate HTTP to <see cref="UserLifecycleCommands"/> and
/// <see cref="PersonalTokenCommands"/>.</summary>
public static class IdentityEndpoints
{
    public static void MapOctopusIdentity(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ApiRoutes.Base).RequireAuthorization().WithTags("identity");

        api.MapPut("/me/password", async (HttpContext http, PasswordChangeRequest? body, UserLifecycleCommands c, CancellationToken ct) =>
        {
            await c.ChangeOwnAsync(Caller.From(http.User), CurrentToken(http), body, ct);
            return TypedResults.NoContent();
        });

        var users = api.MapGroup("/users");
        users.MapPut("/{name}/password", async (HttpContext http, string name, PasswordResetRequest? body, UserLifecycleCommands c, CancellationToken ct) =>
        {
            await c.ResetAsync(Caller.From(http.User), name, body, ct);
            return TypedResults.NoContent();
        });
        users.MapPost("/{name}/disable", async (HttpContext http, string name, UserLifecycleCommands c, OctopusDbContext db, CancellationToken ct) =>
        {
            var user = await c.DisableAsync(Caller.From(http.User), name, ct);
            return Dto.From(user, await VmCommands.UsageAsync(db, user.Id, ct));
        });
        users.MapPost("/{name}/enable", async (HttpContext http, string name, UserLifecycleCommands c, OctopusDbContext db, CancellationToken ct) =>
        {
            var user = await c.EnableAsync(Caller.From(http.User), name, ct);
            return Dto.From(user, await VmCommands.UsageAsync(db, user.Id, ct));
        });
        users.MapPost("/{name}/unlock", async (HttpContext http, string name, LoginThrottle throttle, CommandRunner runner, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            await runner.RunAsync(caller, Permissions.UserUnlock, $"user/{name}", async ct =>
            {
                return await throttle.UnlockAsync(LoginThrottle.KeyOf(name), ct);
            }, ct, n => n == 0 ? "was not locked" : "unlocked");
            return TypedResults.NoContent();
        });
        users.MapDelete("/{name}", async Task<IResult> (HttpContext http, string name, string? transferTo, bool? deleteVms, UserLifecycleCommands c, CancellationToken ct) =>
        {
            var pending = await c.DeleteAsync(Caller.From(http.User), name, transferTo, deleteVms ?? false, ct);
            return pending is null ? TypedResults.NoContent() : TypedResults.Accepted(ApiRoutes.User(name), pending);
        });

        var tokens = api.MapGroup("/tokens");
        tokens.MapPost("", async (HttpContext http, TokenCreateRequest? body, PersonalTokenCommands c, CancellationToken ct) =>
        {
            var created = await c.CreateAsync(Caller.From(http.User), body, ct);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created(ApiRoutes.TokenById(created.Id), created);
        });
        tokens.MapGet("", (HttpContext http, string? user, PersonalTokenCommands c, CancellationToken ct) =>
            c.ListAsync(Caller.From(http.User), user, ct));
        tokens.MapDelete("/{id:long}", async (HttpContext http, long id, PersonalTokenCommands c, CancellationToken ct) =>
        {
            await c.RevokeAsync(Caller.From(http.User), id, ct);
            return TypedResults.NoContent();
        });
    }

    private static string? CurrentToken(HttpContext http)
    {
        string? header = http.Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return http.Request.Cookies[WebSession.SessionCookie];
    }
}
