using Octopus.Contracts;
using Octopus.Server.Auth;

namespace Octopus.Server.Networks;

/// <summary>The network endpoints under /api/v1/networks: list and show (what the caller may use), create and delete
/// (admins). Handlers only translate HTTP to <see cref="NetworkCommands"/> and <see cref="NetworkQueries"/>.</summary>
public static class NetworkEndpoints
{
    public static void MapOctopusNetworks(this IEndpointRouteBuilder app)
    {
        var networks = app.MapGroup(ApiRoutes.Networks).RequireAuthorization().WithTags("networks");
        networks.MapGet("", (HttpContext http, NetworkQueries q, CancellationToken ct) => q.ListAsync(Caller.From(http.User), ct));
        networks.MapGet("/{id}", (HttpContext http, string id, NetworkQueries q, CancellationToken ct) => q.GetAsync(Caller.From(http.User), id, ct));
        networks.MapPost("", async (HttpContext http, NetworkCreateRequest? body, NetworkCommands c, NetworkQueries q, CancellationToken ct) =>
        {
            var network = await c.CreateAsync(Caller.From(http.User), body, ct);
            return TypedResults.Created(ApiRoutes.Network(network.Name.Value), await q.ToDtoAsync(network, ct));
        });
        networks.MapDelete("/{id}", async (HttpContext http, string id, NetworkCommands c, CancellationToken ct) =>
        {
            await c.DeleteAsync(Caller.From(http.User), id, ct);
            return TypedResults.NoContent();
        });
    }
}
