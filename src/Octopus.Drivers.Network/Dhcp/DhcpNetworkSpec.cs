using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Dhcp;

/// <summary>What one network's dnsmasq serves on a host.</summary>
/// <param name="Name">The Octopus network (names the state subfolder).</param>
/// <param name="ListenAddress">The host's own address on the bridge, where dnsmasq answers DNS and from which it sends
/// DHCP replies; it must already be on the bridge.</param>
/// <param name="Hosts">Every NIC on the network (on any host, so names resolve cluster-wide); only these MACs get leases.</param>
public sealed record DhcpNetworkSpec(NetworkName Name, BridgeName Bridge, Ipv4Subnet Subnet, Ipv4Address Gateway, DnsDomain Domain,
    Ipv4Address ListenAddress, IReadOnlyList<StaticHost> Hosts);

/// <summary>One static lease and name: <c>HostName.Domain</c> ↔ <see cref="Address"/> for <see cref="Mac"/>.</summary>
public sealed record StaticHost(MacAddress Mac, Ipv4Address Address, string HostName);
