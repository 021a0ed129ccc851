using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

using Octopus.Application.Networks;

namespace Octopus.Server.Networks;

/// <summary>The network endpoints under /api/v1/networks: list and show (what the caller may use), a network's used addresses with their VMs (admins: all; users: their own), create and delete
/// (admins); and each VM's security group under /api/v1/vms/{vm}/security-rules. Handlers only translate HTTP to
/// <see cref="NetworkCommands"/>, <see cref="NetworkQueries"/> and <see cref="SecurityRuleCommands"/>.</summary>
public static class NetworkEndpoints
{
    public static void MapOctopusNetworks(this IEndpointRouteBuilder app)
    {
        var networks = app.MapGroup(ApiRoutes.Networks).RequireAuthorization().WithTags("networks");
        networks.MapGet("", (HttpContext http, NetworkQueries q, CancellationToken ct) => q.ListAsync(Caller.From(http.User), ct));
        networks.MapGet("/{id}", (HttpContext http, string id, NetworkQueries q, CancellationToken ct) => q.GetAsync(Caller.From(http.User), id, ct));
        networks.MapGet("/{id}/addresses", (HttpContext http, string id, NetworkQueries q, CancellationToken ct) =>
            q.AddressesAsync(Caller.From(http.User), id, ct));
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

        // A VM's security group (owner or admin): GET lists, POST adds a rule (201), DELETE removes one (200 with the group).
        var rules = app.MapGroup(ApiRoutes.Vms + "/{vm}/security-rules").RequireAuthorization().WithTags("vms");
        rules.MapGet("", (HttpContext http, string vm, SecurityRuleCommands c, CancellationToken ct) => c.ListAsync(Caller.From(http.User), vm, ct));
        rules.MapPost("", async (HttpContext http, string vm, SecurityRuleRequest? body, SecurityRuleCommands c, CancellationToken ct) =>
        {
            var (group, added) = await c.AddAsync(Caller.From(http.User), vm, body, ct);
            return TypedResults.Created(ApiRoutes.VmSecurityRule(vm, added.Id), group);
        });
        rules.MapDelete("/{rule}", async (HttpContext http, string vm, string rule, SecurityRuleCommands c, CancellationToken ct) =>
            TypedResults.Ok(await c.RemoveAsync(Caller.From(http.User), vm, rule, ct)));
    }
}
