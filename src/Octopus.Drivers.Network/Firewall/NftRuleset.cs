using System.Text;
using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>Renders a node's whole firewall as one nftables script: table <c>bridge octopus</c>, and per NIC a chain
/// for what it sends (<c>from-PORT</c>, anti-spoofing), a chain for what it receives (<c>to-PORT</c>, its security
/// group) and the sets those read (<c>in-PORT</c>: source·protocol·port-range triples; <c>icmp-PORT</c>: ICMP sources;
/// <c>all-PORT</c>: sources every protocol is admitted from).
/// The script first makes sure the table exists, deletes it and builds it anew: <c>nft -f</c> applies all of that as one
/// transaction, so a rule change never leaves a moment with no rules.</summary>
internal static class NftRuleset
{
    public const string Table = "octopus";

    public static string Render(IReadOnlyList<NicFirewallSpec> nics, UplinkFilter? uplink = null)
    {
        var b = new StringBuilder();
        b.Append("table bridge ").Append(Table).Append(" {}\n");
        b.Append("delete table bridge ").Append(Table).Append('\n');
        b.Append("table bridge ").Append(Table).Append(" {\n");
        foreach (var nic in nics.OrderBy(n => n.Port, StringComparer.Ordinal))
        {
            var p = nic.Port;
            var triples = nic.Ingress.Where(r => r.Protocol is IngressProtocol.Tcp or IngressProtocol.Udp)
                .Select(r => $"{r.Source} . {IngressRule.Name(r.Protocol)} . {r.Ports}").Distinct().ToList();
            var icmp = Sources(nic, IngressProtocol.Icmp);
            var all = Sources(nic, IngressProtocol.Any);
            b.Append($"  set in-{p} {{ type ipv4_addr . inet_proto . inet_service; flags interval;{Elements(triples)} }}\n");
            b.Append($"  set icmp-{p} {{ type ipv4_addr; flags interval;{Elements(icmp)} }}\n");
            b.Append($"  set all-{p} {{ type ipv4_addr; flags interval;{Elements(all)} }}\n");

            // What the VM sends: only from its own MAC and address (0.0.0.0 while it asks DHCP for that address).
            b.Append($"  chain from-{p} {{\n");
            b.Append($"    ether saddr != {nic.Mac} drop\n");
            // RARP (0x8035): QEMU announces a guest so after a live migration, for the switches to learn its new port;
            // only announcements of its own MAC (sender hardware address, 8 bytes into the RARP header) pass.
            b.Append($"    ether type 0x8035 @nh,64,48 0x{nic.Mac.ToString().Replace(":", "", StringComparison.Ordinal)} accept\n");
            b.Append($"    ether type arp arp saddr ether != {nic.Mac} drop\n");
            b.Append($"    ether type arp arp saddr ip != {{ {nic.Address}, 0.0.0.0 }} drop\n");
            b.Append("    ether type arp accept\n");
            b.Append("    ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept\n");
            b.Append($"    ether type ip ip saddr != {nic.Address} drop\n");
            b.Append("    ether type ip accept\n");
            b.Append("    drop\n");
            b.Append("  }\n");

            // What the VM receives: stateless (no conntrack in the bridge family): replies pass, new connections need a rule.
            b.Append($"  chain to-{p} {{\n");
            if (nic.OpenIngress)
            {
                b.Append("    accept\n  }\n");
                continue;
            }
            b.Append("    ether type arp accept\n");
            b.Append("    ip protocol tcp tcp flags & (syn | ack) != syn accept\n");
            b.Append("    ip protocol udp udp sport { 53, 67 } accept\n");
            b.Append("    ip protocol icmp icmp type { echo-reply, destination-unreachable, time-exceeded } accept\n");
            b.Append($"    ip saddr . meta l4proto . th dport @in-{p} accept\n");
            b.Append($"    ip protocol icmp ip saddr @icmp-{p} accept\n");
            b.Append($"    ether type ip ip saddr @all-{p} accept\n");
            b.Append("    drop\n");
            b.Append("  }\n");
        }
        var uplinks = uplink is { Ports.Count: > 0, Gateways.Count: > 0 } ? uplink.Ports.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() : [];
        if (uplinks.Count > 0)
        {
            // What crosses an uplink, both ways: no DHCP, nothing from or to a gateway address (each host is its VMs' gateway).
            var gateways = string.Join(", ", uplink!.Gateways.Select(g => g.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            b.Append("  chain uplink {\n");
            b.Append("    ip protocol udp udp dport { 67, 68 } drop\n");
            b.Append($"    ether type arp arp saddr ip {{ {gateways} }} drop\n");
            b.Append($"    ether type arp arp daddr ip {{ {gateways} }} drop\n");
            b.Append($"    ether type ip ip saddr {{ {gateways} }} drop\n");
            b.Append($"    ether type ip ip daddr {{ {gateways} }} drop\n");
            b.Append("  }\n");
        }
        b.Append("  chain pre {\n    type filter hook prerouting priority 0; policy accept;\n");
        foreach (var nic in nics) b.Append($"    iifname \"{nic.Port}\" jump from-{nic.Port}\n");
        foreach (var u in uplinks) b.Append($"    iifname \"{u}\" jump uplink\n");
        b.Append("  }\n");
        b.Append("  chain post {\n    type filter hook postrouting priority 0; policy accept;\n");
        foreach (var nic in nics) b.Append($"    oifname \"{nic.Port}\" jump to-{nic.Port}\n");
        foreach (var u in uplinks) b.Append($"    oifname \"{u}\" jump uplink\n");
        b.Append("  }\n");
        b.Append("}\n");
        return b.ToString();
    }

    private static List<string> Sources(NicFirewallSpec nic, IngressProtocol protocol) =>
        nic.Ingress.Where(r => r.Protocol == protocol).Select(r => r.Source.ToString()).Distinct().ToList();

    private static string Elements(IReadOnlyList<string> items) => items.Count == 0 ? "" : $" elements = {{ {string.Join(", ", items)} }};";
}
