using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;

namespace Octopus.Application.Networks;

/// <summary>Reads networks as the caller may see them (admins: all; users: those they may attach VMs to), with used and
/// free address counts computed in SQL, and a VM's NICs as the API shows them.</summary>
public sealed class NetworkQueries(OctopusDbContext db)
{
    public async Task<IReadOnlyList<NetworkDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        var networks = (await db.Networks.AsNoTracking().ToListAsync(ct)).Where(n => n.MayBeUsedBy(caller.Id, caller.IsAdmin)).ToList();
        var used = await db.Nics.GroupBy(n => n.NetworkId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var names = await UserNamesAsync(ct);
        return [.. networks.OrderBy(n => n.Name.Value, StringComparer.Ordinal).Select(n => ToDto(n, used.GetValueOrDefault(n.Id), names))];
    }

    public async Task<NetworkDto> GetAsync(Caller caller, string idOrName, CancellationToken ct)
    {
        var network = await NetworkCommands.FindAsync(db, idOrName, ct);
        // A network the caller may not use is reported like one that does not exist.
        if (!network.MayBeUsedBy(caller.Id, caller.IsAdmin)) throw DomainException.NotFound("Network", idOrName);
        return await ToDtoAsync(network, ct);
    }

    /// <summary>The network's used addresses in address order, each with the VM holding it: all of them for admins, the
    /// caller's own VMs' for users (another user's VM names are not theirs to see). 404 as <see cref="GetAsync"/>.</summary>
    public async Task<IReadOnlyList<NetworkAddressDto>> AddressesAsync(Caller caller, string idOrName, CancellationToken ct)
    {
        var network = await NetworkCommands.FindAsync(db, idOrName, ct);
        if (!network.MayBeUsedBy(caller.Id, caller.IsAdmin)) throw DomainException.NotFound("Network", idOrName);
        var rows = await db.Nics.AsNoTracking().Where(n => n.NetworkId == network.Id)
            .Join(db.Vms.AsNoTracking(), n => n.VmId, v => v.Id, (n, v) => new { Nic = n, v.Name, v.OwnerId })
            .Where(x => caller.IsAdmin || x.OwnerId == caller.Id)
            .ToListAsync(ct);
        var names = await UserNamesAsync(ct);
        return [.. rows.OrderBy(x => x.Nic.Address).Select(x => new NetworkAddressDto(x.Nic.Address.ToString(), x.Nic.Mac.ToString(),
            x.Nic.DnsName(network), x.Nic.VmId.ToString(), x.Name.Value, names.GetValueOrDefault(x.OwnerId, x.OwnerId.ToString()), x.Nic.CreatedAt))];
    }

    public async Task<NetworkDto> ToDtoAsync(Network network, CancellationToken ct) =>
        ToDto(network, await db.Nics.CountAsync(n => n.NetworkId == network.Id, ct), await UserNamesAsync(ct));

    /// <summary>The NICs of <paramref name="vms"/>, in slot order, keyed by VM.</summary>
    public async Task<IReadOnlyDictionary<VmId, IReadOnlyList<NicDto>>> NicsOfAsync(IReadOnlyCollection<VmId> vms, CancellationToken ct)
    {
        if (vms.Count == 0) return new Dictionary<VmId, IReadOnlyList<NicDto>>();
        var ids = vms.ToList();
        var nics = await db.Nics.AsNoTracking().Where(n => ids.Contains(n.VmId)).ToListAsync(ct);
        if (nics.Count == 0) return new Dictionary<VmId, IReadOnlyList<NicDto>>();
        var networks = await db.Networks.AsNoTracking().ToDictionaryAsync(n => n.Id, ct);
        return nics.GroupBy(n => n.VmId).ToDictionary(g => g.Key, g => (IReadOnlyList<NicDto>)
            [.. g.OrderBy(n => n.Slot).Select(n => Describe(n, networks[n.NetworkId]))]);
    }

    /// <summary>A NIC as the API shows it, from its row and its network's.</summary>
    public static NicDto Describe(Nic nic, Network network) =>
        new(network.Name.Value, nic.Mac.ToString(), nic.Address.ToString(), nic.DnsName(network));

    private static NetworkDto ToDto(Network n, long used, IReadOnlyDictionary<Domain.Users.UserId, string> users) => new(
        n.Id.ToString(), n.Name.Value, n.Bridge.Value, n.Vlan, n.Subnet.ToString(), n.Gateway.ToString(), n.Range.ToString(), n.Domain.Value,
        [.. n.Users.Select(u => users.GetValueOrDefault(u, u.ToString()))], n.Capacity, used, n.Capacity - used, n.CreatedAt);

    private async Task<IReadOnlyDictionary<Domain.Users.UserId, string>> UserNamesAsync(CancellationToken ct) =>
        await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name.Value, ct);
}
