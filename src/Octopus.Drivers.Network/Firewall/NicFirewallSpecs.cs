using Octopus.Domain;
using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>The firewall a node enforces for the NICs defined on it: one <see cref="NicFirewallSpec"/> per addressed NIC,
/// its anti-spoofing from the address Octopus gave it and its ingress from the VM's security group as the runtime spec
/// carried it (<see cref="TapPort.Ingress"/>; null: a VM defined before security groups, admitted openly). A NIC without
/// an address is not filtered (it has nothing to spoof-check against).</summary>
public static class NicFirewallSpecs
{
    public static IReadOnlyList<NicFirewallSpec> From(IReadOnlyList<TapPort> ports) =>
        [.. ports.Where(p => p.Addressing is not null).DistinctBy(p => p.Tap).Select(p => new NicFirewallSpec(p.Tap, Mac(p), Address(p),
            p.Ingress ?? [], OpenIngress: p.Ingress is null))];

    private static MacAddress Mac(TapPort p) =>
        MacAddress.TryParse(p.Mac, out var mac) ? mac : throw new DriverException($"'{p.Mac}' is not a MAC address (six hex pairs separated by ':').");

    private static Ipv4Address Address(TapPort p)
    {
        try { return Ipv4Address.Parse(p.Addressing!.Ip, "ip"); }
        catch (DomainException e) { throw new DriverException($"NIC {p.Mac} (tap {p.Tap}): {e.Message}", e); }
    }
}
