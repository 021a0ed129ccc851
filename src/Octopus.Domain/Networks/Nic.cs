using Octopus.Domain.Vms;

namespace Octopus.Domain.Networks;

/// <summary>A VM's network interface: the network it is on, and the MAC, address and host name Octopus gave it. Kept
/// for the VM's whole life (stop/start, migration); it goes with the VM. <see cref="Slot"/> orders a VM's NICs (the
/// guest's eth0, eth1, …).</summary>
public sealed class Nic
{
    private Nic() { } // for the store

    public VmId VmId { get; private set; }
    public int Slot { get; private set; }
    public NetworkId NetworkId { get; private set; }
    public MacAddress Mac { get; private set; }
    public Ipv4Address Address { get; private set; }
    /// <summary>The DNS label the VM answers to on this network (<c>HostName.Domain</c>); unique per network.</summary>
    public string HostName { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Gives <paramref name="vm"/> a NIC on <paramref name="network"/>: the network's lowest free address (see
    /// <see cref="Network.AllocateAddress"/>) and the MAC derived from it.</summary>
    public static Nic Allocate(VmId vm, int slot, Network network, IReadOnlySet<Ipv4Address> used, string hostName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(network);
        var address = network.AllocateAddress(used);
        return new Nic
        {
            VmId = vm, Slot = slot, NetworkId = network.Id, Address = address, Mac = MacAddress.ForAddress(address), HostName = hostName,
            CreatedAt = now,
        };
    }

    public string DnsName(Network network) => $"{HostName}.{network.Domain}";
}
