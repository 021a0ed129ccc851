using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>The host's uplink ports (the interfaces that join its networks' bridges to the other hosts) and its networks'
/// gateway addresses. Every host of a network has the gateway address on its bridge and serves DHCP and DNS for its own
/// VMs (as Neutron's distributed router does), so DHCP and anything to or from a gateway address (ARP included) must not
/// cross an uplink: a VM's DHCP request, ARP for its gateway and DNS query stay on its own host.</summary>
public sealed record UplinkFilter(IReadOnlyList<string> Ports, IReadOnlyList<Ipv4Address> Gateways);
