using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>What one NIC may send and receive: it may send only from <see cref="Mac"/> and <see cref="Address"/>
/// (anti-spoofing); it receives new connections only as <see cref="Ingress"/> allows (its security group).</summary>
/// <param name="Port">The host interface the NIC is (its tap), 1–15 characters.</param>
/// <param name="OpenIngress">Admit everything the NIC receives (a VM defined before security groups): only anti-spoofing applies.</param>
public sealed record NicFirewallSpec(string Port, MacAddress Mac, Ipv4Address Address, IReadOnlyList<IngressRule> Ingress, bool OpenIngress = false);
