using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Dhcp;

/// <summary>What one network's dnsmasq serves on a host.</summary>
/// <param name="Name">The Octopus network (names the state subfolder).</param>
/// <param name="ListenAddress">The host's own address on the bridge, where dnsmasq answers DNS and from which it sends
/// DHCP replies; it must already be on the bridge.</param>
/// <param name="Hosts">The network's NICs on this host: only these MACs get leases, and their names resolve.</param>
/// <param name="Names">The names of the network's NICs on other hosts (what the server published to this one), so that
/// <c>NAME.DOMAIN</c> resolves cluster-wide; DNS only, no lease. An address that is also in <paramref name="Hosts"/> is
/// answered from there.</param>
public sealed record DhcpNetworkSpec(NetworkName Name, BridgeName Bridge, Ipv4Subnet Subnet, Ipv4Address Gateway, DnsDomain Domain,
    Ipv4Address ListenAddress, IReadOnlyList<StaticHost> Hosts, IReadOnlyList<StaticName>? Names = null);

/// <summary>One static lease and name: <c>HostName.Domain</c> ↔ <see cref="Address"/> for <see cref="Mac"/>.</summary>
public sealed record StaticHost(MacAddress Mac, Ipv4Address Address, string HostName);

/// <summary>A name only (no lease): <c>HostName.Domain</c> ↔ <see cref="Address"/>.</summary>
public sealed record StaticName(Ipv4Address Address, string HostName);
