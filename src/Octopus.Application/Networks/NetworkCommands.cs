using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Networks;

/// <summary>What administrators ask of networks: create and delete. Both authorised and audited through the
/// <see cref="CommandRunner"/>; a network in use cannot be deleted.</summary>
public sealed class NetworkCommands(OctopusDbContext db, CommandRunner runner, TimeProvider time)
{
    public Task<Network> CreateAsync(Caller caller, NetworkCreateRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.NetworkCreate, $"network/{request?.Name}", async ct =>
        {
            if (request is null)
                throw DomainException.Invalid("body", "The request body is empty; send a JSON network (name, bridge, subnet, gateway, range, domain, optional vlan and users).");
            var name = NetworkName.Parse(request.Name);
            var bridge = BridgeName.Parse(request.Bridge);
            var subnet = Ipv4Subnet.Parse(request.Subnet);
            var gateway = Ipv4Address.Parse(request.Gateway, "gateway");
            var range = Ipv4Range.Parse(request.Range);
            var domain = DnsDomain.Parse(request.Domain);
            var users = new List<UserId>();
            foreach (var text in request.Users ?? [])
            {
                var userName = UserName.Parse(text, "users");
                users.Add(await db.Users.Where(u => u.Name == userName).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct)
                    ?? throw DomainException.Invalid("users", $"There is no user '{text}'; list existing users only."));
            }
            var others = await db.Networks.AsNoTracking().ToListAsync(ct);
            var network = Network.Create(name, bridge, subnet, gateway, range, domain, request.Vlan, users, time.GetUtcNow(), others);
            db.Networks.Add(network);
            return network;
        }, ct, n => $"{n.Subnet} on {n.Bridge}");

    /// <summary>Deletes a network no NIC uses; refused (409, naming some VMs) while any VM is attached.</summary>
    public Task DeleteAsync(Caller caller, string idOrName, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.NetworkDelete, $"network/{idOrName}", async ct =>
        {
            var network = await FindAsync(db, idOrName, ct);
            var users = await db.Nics.Where(n => n.NetworkId == network.Id).Join(db.Vms, n => n.VmId, v => v.Id, (n, v) => v.Name)
                .Take(6).ToListAsync(ct);
            if (users.Count > 0)
                throw DomainException.Conflict("network.in-use",
                    $"Network '{network.Name}' is in use by VM(s) {string.Join(", ", users.Take(5).Select(n => n.Value))}{(users.Count > 5 ? ", …" : "")}; " +
                    "delete them (or wait for their deletion to finish) first.");
            db.Networks.Remove(network);
            return true;
        }, ct);

    /// <summary>A network by id or name; 404 when there is none.</summary>
    public static async Task<Network> FindAsync(OctopusDbContext db, string idOrName, CancellationToken ct)
    {
        if (NetworkId.TryParse(idOrName, out var id))
            return await db.Networks.FirstOrDefaultAsync(n => n.Id == id, ct) ?? throw DomainException.NotFound("Network", idOrName);
        NetworkName name;
        try { name = NetworkName.Parse(idOrName); }
        catch (DomainException) { throw DomainException.NotFound("Network", idOrName); }
        return await db.Networks.FirstOrDefaultAsync(n => n.Name == name, ct) ?? throw DomainException.NotFound("Network", idOrName);
    }
}
