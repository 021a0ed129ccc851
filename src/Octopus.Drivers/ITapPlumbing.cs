using Octopus.Domain.Networks;

namespace Octopus.Drivers;

/// <summary>One NIC as the host sees it: the tap the hypervisor opens, the bridge it is a port of, the guest's MAC.</summary>
/// <param name="Tap">The host interface name (1–15 characters), derived from the VM and the NIC's slot.</param>
/// <param name="Bridge">The host bridge the tap joins; it must exist (the network's driver makes it).</param>
/// <param name="Mac">The guest's MAC address, six hex pairs separated by ':'.</param>
/// <param name="Addressing">The NIC's address and network as the server allocated them (what DHCP, DNS and anti-spoofing
/// on the node need), or null when the spec carries none.</param>
/// <param name="Ingress">The VM's security group: what new connections the NIC may receive (empty: none); null admits
/// everything (a VM defined before security groups existed). Anti-spoofing applies either way.</param>
public sealed record TapPort(string Tap, string Bridge, string Mac, NicAddressing? Addressing = null, IReadOnlyList<IngressRule>? Ingress = null)
{
    /// <summary>Equal tap, bridge, MAC, addressing and rules (records compare lists by reference).</summary>
    public bool Equals(TapPort? other) =>
        other is not null && Tap == other.Tap && Bridge == other.Bridge && Mac == other.Mac && Addressing == other.Addressing
        && (Ingress is null ? other.Ingress is null : other.Ingress is not null && Ingress.SequenceEqual(other.Ingress));

    public override int GetHashCode() => HashCode.Combine(Tap, Bridge, Mac, Addressing, Ingress?.Count);
}

/// <summary>What the node serves for one NIC: the address Octopus gave it on its network, and that network's settings.</summary>
/// <param name="Network">The Octopus network's name.</param>
/// <param name="Ip">The NIC's IPv4 address.</param>
/// <param name="Subnet">The network's subnet, CIDR, e.g. 10.77.0.0/24.</param>
/// <param name="Gateway">The network's gateway address, which the serving node puts on its bridge.</param>
/// <param name="Domain">The network's DNS domain.</param>
/// <param name="HostName">The VM's name: DHCP hands it out and DNS answers HostName.Domain.</param>
/// <param name="Vlan">The network's 802.1Q tag, or null.</param>
public sealed record NicAddressing(string Network, string Ip, string Subnet, string Gateway, string Domain, string HostName, int? Vlan = null);

/// <summary>Makes a VM's taps exist before its hypervisor starts and removes them after it stopped. The hypervisor
/// driver calls it; the host's network driver implements it. Both methods are idempotent.</summary>
public interface ITapPlumbing
{
    /// <summary>Every port's tap exists, is up and is a port of its bridge. Refused (a <see cref="DriverException"/> naming
    /// the interface) when a bridge is missing or a tap is already held open by another process.</summary>
    Task PlugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct);

    /// <summary>Every port's tap is gone; taps already gone are fine.</summary>
    Task UnplugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct);

    /// <summary>What the host serves for the NICs defined on it (leases, names, filters) is made to match them again, e.g.
    /// after a VM's security group changed; taps are left as they are. Nothing for plumbing that serves nothing.</summary>
    Task RefreshAsync(CancellationToken ct);
}
