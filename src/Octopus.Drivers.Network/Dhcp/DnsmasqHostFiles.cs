using System.Text;

namespace Octopus.Drivers.Network.Dhcp;

/// <summary>The two files dnsmasq reads a network's static hosts from: <c>dhcp-hostsfile</c> lines <c>MAC,IP,NAME</c>
/// (the only MACs that get a lease) and <c>addn-hosts</c> lines <c>IP NAME.DOMAIN NAME</c> (forward and reverse names), for
/// the host's own NICs and the names published from other hosts.</summary>
internal static class DnsmasqHostFiles
{
    public static string DhcpHosts(DhcpNetworkSpec spec)
    {
        var b = new StringBuilder();
        foreach (var h in spec.Hosts.OrderBy(h => h.Address)) b.Append(h.Mac).Append(',').Append(h.Address).Append(',').Append(h.HostName).Append('\n');
        return b.ToString();
    }

    public static string DnsHosts(DhcpNetworkSpec spec)
    {
        var b = new StringBuilder();
        var names = spec.Hosts.Select(h => new StaticName(h.Address, h.HostName))
            .Concat((spec.Names ?? []).Where(n => !spec.Hosts.Any(h => h.Address == n.Address))).DistinctBy(n => n.Address);
        foreach (var h in names.OrderBy(h => h.Address))
            b.Append(h.Address).Append(' ').Append(h.HostName).Append('.').Append(spec.Domain).Append(' ').Append(h.HostName).Append('\n');
        return b.ToString();
    }
}
