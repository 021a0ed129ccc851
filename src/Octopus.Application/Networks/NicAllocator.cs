using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;

namespace Octopus.Application.Networks;

/// <summary>Gives a new VM its NICs inside the command that creates it (VM create, fork): resolves the networks asked
/// for (or the default one), checks the owner may use them, and allocates each NIC's address, MAC and host name in the
/// same unit of work as the VM, so a refusal (an exhausted network, say) leaves nothing half-made. Concurrent
/// allocations on one network are serialised by the network's concurrency token (<see cref="Network.AllocateAddress"/>):
/// the command runner re-runs the loser from fresh state.</summary>
public sealed class NicAllocator(OctopusDbContext db, NetworkSettings settings)
{
    /// <summary>The most NICs one VM may have.</summary>
    public const int MaxNics = 8;

    /// <summary>Allocates one NIC per network for the new <paramref name="vm"/> of <paramref name="owner"/>;
    /// <paramref name="requested"/> lists network names in NIC order, null meaning the configured default network (if
    /// any); <paramref name="mayUseAll"/> (an admin's request) lifts network restrictions. Returns the NICs in slot
    /// order as the API shows them.</summary>
    public async Task<IReadOnlyList<Contracts.NicDto>> AttachAsync(Vm vm, User owner, bool mayUseAll, IReadOnlyList<string>? requested, DateTimeOffset now,
        CancellationToken ct)
    {
        var names = requested ?? (settings.Default is { } d ? [d.Value] : []);
        if (names.Count > MaxNics) throw DomainException.Invalid("networks", $"A VM may have at most {MaxNics} NICs; {names.Count} networks were named.");
        var networks = new List<Network>();
        foreach (var text in names)
        {
            var name = NetworkName.Parse(text, "networks");
            var network = await db.Networks.FirstOrDefaultAsync(n => n.Name == name, ct);
            if (network is null || !network.MayBeUsedBy(owner.Id, mayUseAll))
            {
                var usable = (await db.Networks.AsNoTracking().ToListAsync(ct)).Where(n => n.MayBeUsedBy(owner.Id, mayUseAll))
                    .Select(n => n.Name.Value).Order(StringComparer.Ordinal).ToList();
                var hint = requested is null ? $" It is the server's default network (Octopus:Networks:Default); an administrator must create it, or name networks explicitly." : "";
                throw DomainException.Invalid("networks",
                    $"There is no network '{name}' {owner.Name} may use.{hint} Usable networks: {(usable.Count == 0 ? "none" : string.Join(", ", usable))}.");
            }
            if (networks.Any(n => n.Id == network.Id))
                throw DomainException.Invalid("networks", $"Network '{name}' is named twice; a VM gets one NIC per network.");
            networks.Add(network);
        }

        var nics = new List<Contracts.NicDto>();
        for (var slot = 0; slot < networks.Count; slot++)
        {
            var network = networks[slot];
            var held = await db.Nics.Where(n => n.NetworkId == network.Id).Select(n => new { n.Address, n.HostName }).ToListAsync(ct);
            var used = held.Select(h => h.Address).ToHashSet();
            var hostName = HostNameFor(vm.Name, owner.Name, network, held.Select(h => h.HostName).ToHashSet(StringComparer.Ordinal));
            var nic = Nic.Allocate(vm.Id, slot, network, used, hostName, now);
            db.Nics.Add(nic);
            nics.Add(NetworkQueries.Describe(nic, network));
        }
        return nics;
    }

    /// <summary>The VM's name, or NAME-OWNER when another user's VM of that name is on the network already (VM names are
    /// unique per owner, DNS names per network).</summary>
    private static string HostNameFor(VmName vm, UserName owner, Network network, IReadOnlySet<string> taken)
    {
        if (!taken.Contains(vm.Value)) return vm.Value;
        // '.' and '_' are valid in user names but not in a DNS label.
        var qualified = $"{vm.Value}-{owner.Value.Replace('.', '-').Replace('_', '-')}";
        if (qualified.Length <= 63 && !taken.Contains(qualified)) return qualified;
        throw DomainException.Conflict("network.name-taken",
            $"The DNS name {vm}.{network.Domain} is taken on network '{network.Name}' (and so is {qualified}); choose another VM name.");
    }
}
