using Octopus.Domain.Users;

namespace Octopus.Domain.Networks;

/// <summary>A network VMs attach to: the bridge its NICs plug into on every host (optionally on a VLAN), its subnet and
/// gateway, the range Octopus hands addresses from and the DNS domain VMs are named in. Octopus is its address manager:
/// every NIC's address is allocated here and kept in the store (<see cref="Nic"/>); hosts only serve them.</summary>
public sealed class Network
{
    public const int MinVlan = 1;
    public const int MaxVlan = 4094;

    private readonly List<UserId> _users = [];

    private Network() { } // for the store

    public NetworkId Id { get; private set; }
    public NetworkName Name { get; private set; }
    public BridgeName Bridge { get; private set; }
    /// <summary>802.1Q tag of the network's traffic between hosts, or null for untagged.</summary>
    public int? Vlan { get; private set; }
    public Ipv4Subnet Subnet { get; private set; }
    public Ipv4Address Gateway { get; private set; }
    public Ipv4Range Range { get; private set; }
    public DnsDomain Domain { get; private set; }
    /// <summary>Who may attach VMs: empty means every user; otherwise only these users (admins always may).</summary>
    public IReadOnlyList<UserId> Users => _users;
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Optimistic-concurrency token, bumped by every address allocation, so two commands allocating on the same
    /// network at once cannot both commit: the loser re-runs from fresh state and picks another address.</summary>
    public long Version { get; private set; }

    /// <summary>Addresses NICs can get: the range, less the gateway (never inside it, see <see cref="Create"/>).</summary>
    public long Capacity => Range.Count;

    /// <summary>Checks one network on its own and against <paramref name="others"/> (all existing networks); every
    /// refusal names the offending field and says what to do.</summary>
    public static Network Create(NetworkName name, BridgeName bridge, Ipv4Subnet subnet, Ipv4Address gateway, Ipv4Range range,
        DnsDomain domain, int? vlan, IEnumerable<UserId> users, DateTimeOffset now, IReadOnlyCollection<Network> others)
    {
        if (vlan is { } v && v is < MinVlan or > MaxVlan)
            throw DomainException.Invalid("vlan", $"VLAN {v} is out of range; use {MinVlan}-{MaxVlan}, or leave it out for an untagged network.");
        if (!subnet.IsHostAddress(gateway))
            throw DomainException.Invalid("gateway",
                $"The gateway {gateway} is not a host address of {subnet}; use an address between {subnet.Network.Next()} and {new Ipv4Address(subnet.Broadcast.Value - 1)}.");
        if (!subnet.IsHostAddress(range.First) || !subnet.IsHostAddress(range.Last))
            throw DomainException.Invalid("range",
                $"The range {range} is not inside {subnet}'s host addresses ({subnet.Network.Next()}-{new Ipv4Address(subnet.Broadcast.Value - 1)}); narrow it.");
        if (range.Contains(gateway))
            throw DomainException.Invalid("range", $"The range {range} contains the gateway {gateway}; start it after the gateway or end it before.");
        foreach (var other in others)
        {
            if (other.Name == name)
                throw DomainException.Conflict("network.duplicate-name", $"A network named '{name}' already exists; choose another name.");
            if (other.Subnet.Overlaps(subnet))
                throw new DomainException(ErrorKind.Validation, "network.overlap",
                    $"The subnet {subnet} overlaps network '{other.Name}' ({other.Subnet}); choose a subnet outside it.", "subnet");
            if (other.Bridge == bridge)
                throw new DomainException(ErrorKind.Validation, "network.bridge-taken",
                    $"Bridge {bridge} already carries network '{other.Name}'; one bridge serves one network (its DHCP server listens there). Choose another bridge.", "bridge");
        }
        var network = new Network
        {
            Id = NetworkId.New(), Name = name, Bridge = bridge, Vlan = vlan, Subnet = subnet, Gateway = gateway, Range = range,
            Domain = domain, CreatedAt = now,
        };
        network._users.AddRange(users.Distinct());
        return network;
    }

    /// <summary>Whether <paramref name="user"/> may attach VMs to this network.</summary>
    public bool MayBeUsedBy(UserId user, bool isAdmin) => isAdmin || _users.Count == 0 || _users.Contains(user);

    /// <summary>The lowest free address of the range. Bumps <see cref="Version"/>, so a concurrent allocation on this
    /// network conflicts at commit instead of handing out the same address. Throws a conflict naming the network when
    /// every address is taken.</summary>
    /// <param name="used">Every address held on this network now, including ones allocated earlier in the same command.</param>
    public Ipv4Address AllocateAddress(IReadOnlySet<Ipv4Address> used)
    {
        ArgumentNullException.ThrowIfNull(used);
        for (var a = Range.First; ; a = a.Next())
        {
            if (!used.Contains(a))
            {
                Version++;
                return a;
            }
            if (a == Range.Last) break;
        }
        throw DomainException.Conflict("network.exhausted",
            $"Network '{Name}' has no free address: all {Capacity} addresses of {Range} are in use. Delete VMs on it, or ask an administrator for another network.");
    }
}
