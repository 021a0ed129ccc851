using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Octopus.Drivers.Power.WakeOnLan;

/// <summary>Where a Wake-on-LAN magic packet goes: the host's MAC, and the broadcast address and UDP port of its
/// network (port 9, "discard", unless the network says otherwise).</summary>
public sealed record WakeOnLanTarget(PhysicalAddress Mac, IPAddress Broadcast, int Port = WakeOnLanTarget.DefaultPort)
{
    public const int DefaultPort = 9;

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff"; null with <paramref name="problem"/> otherwise.</summary>
    public static PhysicalAddress? TryParseMac(string? text, out string? problem)
    {
        problem = null;
        var hex = (text ?? "").Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (hex.Length == 12 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            return PhysicalAddress.Parse(hex);
        problem = $"'{text}' is not a MAC address; write it as aa:bb:cc:dd:ee:ff.";
        return null;
    }

    /// <summary>The MAC as aa:bb:cc:dd:ee:ff.</summary>
    public static string Format(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    public override string ToString() => $"{Format(Mac)} via {Broadcast}:{Port}";
}
