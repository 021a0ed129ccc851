using System.Globalization;

namespace Octopus.Domain.Networks;

/// <summary>A 48-bit Ethernet MAC address. Text form: six lower-case hex pairs separated by ':'.</summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>Octopus's MAC pool: the first two octets of every MAC it hands out. 0x0a has the locally-administered
    /// bit set and the multicast bit clear, so no vendor's address can collide with it; QEMU's own default (52:54:00)
    /// is left alone.</summary>
    public const ulong PoolPrefix = 0x0a0c;

    /// <summary>The MAC Octopus gives the NIC holding <paramref name="ip"/>: the pool prefix then the address's four
    /// bytes. IPs are unique across Octopus's networks (subnets may not overlap), so MACs are unique with no second
    /// allocation to race; a NIC keeps both for its life, and an address reused later comes with the same MAC, which
    /// keeps neighbours' ARP caches right.</summary>
    public static MacAddress ForAddress(Ipv4Address ip) => new((PoolPrefix << 32) | ip.Value);

    public static bool TryParse(string? text, out MacAddress mac)
    {
        mac = default;
        var parts = text?.Trim().Split(':');
        if (parts is not { Length: 6 }) return false;
        ulong value = 0;
        foreach (var p in parts)
        {
            if (p.Length != 2 || !byte.TryParse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)) return false;
            value = (value << 8) | b;
        }
        mac = new MacAddress(value);
        return true;
    }

    public override string ToString()
    {
        var v = Value;
        return string.Join(':', Enumerable.Range(0, 6).Select(i => ((v >> (8 * (5 - i))) & 0xff).ToString("x2", CultureInfo.InvariantCulture)));
    }
}
