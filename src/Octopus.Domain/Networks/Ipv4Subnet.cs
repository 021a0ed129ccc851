using System.Globalization;

namespace Octopus.Domain.Networks;

/// <summary>An IPv4 subnet in CIDR form (<c>10.77.0.0/24</c>). The address must be the subnet's first address (no host
/// bits set), so a typo like 10.77.0.1/24 is caught rather than silently meaning 10.77.0.0/24. Prefixes /8 to /30: a
/// larger one would swallow whole private ranges, a smaller one leaves no room for a gateway and a VM.</summary>
public readonly record struct Ipv4Subnet
{
    public const int MinPrefix = 8;
    public const int MaxPrefix = 30;

    private Ipv4Subnet(Ipv4Address network, int prefix)
    {
        Network = network;
        PrefixLength = prefix;
    }

    public Ipv4Address Network { get; }
    public int PrefixLength { get; }

    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
    public Ipv4Address Broadcast => new(Network.Value | ~Mask);

    /// <summary>Addresses usable by hosts: all but the network and broadcast addresses.</summary>
    public long UsableCount => (1L << (32 - PrefixLength)) - 2;

    public static Ipv4Subnet Parse(string? text, string field = "subnet")
    {
        var parts = text?.Trim().Split('/');
        if (parts is not { Length: 2 } || !Ipv4Address.TryParse(parts[0], out var address)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || parts[1].Length > 2)
            throw DomainException.Invalid(field, $"'{text}' is not an IPv4 subnet in CIDR form; write ADDRESS/PREFIX, e.g. 10.77.0.0/24.");
        if (prefix is < MinPrefix or > MaxPrefix)
            throw DomainException.Invalid(field, $"The prefix /{prefix} of '{text}' is out of range; use /{MinPrefix} to /{MaxPrefix}.");
        var subnet = new Ipv4Subnet(address, prefix);
        if ((address.Value & ~subnet.Mask) != 0)
            throw DomainException.Invalid(field,
                $"'{text}' has host bits set; the subnet containing {address} is {new Ipv4Address(address.Value & subnet.Mask)}/{prefix}.");
        return subnet;
    }

    public bool Contains(Ipv4Address a) => (a.Value & Mask) == Network.Value;

    /// <summary>A host address: inside the subnet and neither its network nor its broadcast address.</summary>
    public bool IsHostAddress(Ipv4Address a) => Contains(a) && a != Network && a != Broadcast;

    /// <summary>Two CIDR blocks overlap exactly when one contains the other's first address.</summary>
    public bool Overlaps(Ipv4Subnet other) => Contains(other.Network) || other.Contains(Network);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Network}/{PrefixLength}");
}
