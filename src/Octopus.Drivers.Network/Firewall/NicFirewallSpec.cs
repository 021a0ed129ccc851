using System.Globalization;
using Octopus.Domain;
using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>What one NIC may send and receive: it may send only from <see cref="Mac"/> and <see cref="Address"/>
/// (anti-spoofing); it receives new connections only as <see cref="Ingress"/> allows (its security group).</summary>
/// <param name="Port">The host interface the NIC is (its tap), 1–15 characters.</param>
/// <param name="OpenIngress">Admit everything the NIC receives (no security group yet): only anti-spoofing applies.</param>
public sealed record NicFirewallSpec(string Port, MacAddress Mac, Ipv4Address Address, IReadOnlyList<IngressRule> Ingress, bool OpenIngress = false);

/// <summary>The protocols a security-group rule can open.</summary>
public enum IngressProtocol { Tcp, Udp, Icmp }

/// <summary>One security-group rule: traffic of <see cref="Protocol"/> to <see cref="Port"/> (not for ICMP) from
/// <see cref="Source"/> may reach the NIC.</summary>
public sealed record IngressRule(IngressProtocol Protocol, int? Port, Ipv4Prefix Source)
{
    public static IngressRule Tcp(int port, Ipv4Prefix? from = null) => new IngressRule(IngressProtocol.Tcp, port, from ?? Ipv4Prefix.Any).Checked();
    public static IngressRule Udp(int port, Ipv4Prefix? from = null) => new IngressRule(IngressProtocol.Udp, port, from ?? Ipv4Prefix.Any).Checked();
    public static IngressRule Icmp(Ipv4Prefix? from = null) => new(IngressProtocol.Icmp, null, from ?? Ipv4Prefix.Any);

    private IngressRule Checked() => Port is >= 1 and <= 65535
        ? this
        : throw DomainException.Invalid("port", $"Port {Port} is out of range; use 1-65535.");
}

/// <summary>An IPv4 address block of any prefix length 0–32 (a security-group source; <see cref="Any"/> is 0.0.0.0/0).</summary>
public readonly record struct Ipv4Prefix(Ipv4Address Address, int Length)
{
    public static readonly Ipv4Prefix Any = new(new Ipv4Address(0), 0);

    public static Ipv4Prefix Parse(string text, string field = "cidr")
    {
        var parts = text.Split('/');
        if (Ipv4Address.TryParse(parts[0], out var a))
        {
            if (parts.Length == 1) return new Ipv4Prefix(a, 32);
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 32)
            {
                var mask = n == 0 ? 0u : uint.MaxValue << (32 - n);
                if ((a.Value & ~mask) == 0) return new Ipv4Prefix(a, n);
            }
        }
        throw DomainException.Invalid(field, $"'{text}' is not an IPv4 block; write ADDRESS/PREFIX with no host bits set, e.g. 10.0.0.0/8 or 0.0.0.0/0.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{Length}");
}
