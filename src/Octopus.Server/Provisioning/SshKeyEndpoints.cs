using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

using Octopus.Application.Provisioning;

namespace Octopus.Server.Provisioning;

/// <summary>The caller's own SSH public keys under /api/v1/me/ssh-keys: list, add (201), remove (204); what
/// <c>vm create --ssh-key NAME</c> gives a VM. Handlers only translate HTTP to <see cref="SshKeyCommands"/>.</summary>
public static class SshKeyEndpoints
{
    public static void MapOctopusSshKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup(ApiRoutes.MySshKeys).RequireAuthorization().WithTags("auth");
        keys.MapGet("", (HttpContext http, SshKeyCommands c, CancellationToken ct) => c.ListAsync(Caller.From(http.User), ct));
        keys.MapPost("", async (HttpContext http, SshKeyRequest? body, SshKeyCommands c, CancellationToken ct) =>
        {
            var key = await c.AddAsync(Caller.From(http.User), body, ct);
            return TypedResults.Created(ApiRoutes.MySshKey(key.Name), key);
        });
        keys.MapDelete("/{name}", async (HttpContext http, string name, SshKeyCommands c, CancellationToken ct) =>
        {
            await c.RemoveAsync(Caller.From(http.User), name, ct);
            return TypedResults.NoContent();
        });

    }
}
