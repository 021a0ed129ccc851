using Octopus.Contracts.Agents;
using Octopus.Domain.Networks;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent;

/// <summary>Converts between the driver's <see cref="QemuVmSpec"/> and its wire form.</summary>
internal static class SpecMapping
{
    public static AgentVmSpec ToWire(QemuVmSpec s) =>
        new(s.Id.Value, s.Name, s.Cores, s.MemoryMiB, s.Disk, s.Boot.Kernel, s.Boot.Initrd, s.Boot.Append,
            s.NicList.Count == 0 ? null : [.. s.NicList.Select(n => new AgentNic(n.Mac, n.Addressing?.Network ?? "", n.Bridge, n.Addressing?.Ip,
                n.Addressing?.Vlan, n.Addressing?.Subnet, n.Addressing?.Gateway, n.Addressing?.Domain, n.Addressing?.HostName, Wire(n.Ingress)))]);

    /// <summary>A security group in its wire form (null stays null: admitted openly).</summary>
    public static IReadOnlyList<string>? Wire(IReadOnlyList<IngressRule>? rules) => rules is null ? null : [.. rules.Select(r => r.ToString())];

    /// <summary>A security group from its wire form; a malformed rule is an <see cref="ArgumentException"/> (400).</summary>
    public static IReadOnlyList<IngressRule>? Rules(IReadOnlyList<string>? texts)
    {
        if (texts is null) return null;
        try { return [.. texts.Select(IngressRule.Parse)]; }
        catch (Octopus.Domain.DomainException e) { throw new ArgumentException($"ingress: {e.Message}", e); }
    }

    public static QemuVmSpec FromWire(AgentVmSpec s) =>
        new(new VmId(s.Vm), s.Name, s.Cores, ByteSize.FromMiB(s.MemoryMiB), s.Disk, new DirectKernelBoot(s.Kernel, s.Initrd, s.Append),
            Nics: Ports(new VmId(s.Vm), s.Name, s.Nics));

    /// <summary>The taps of a VM's wire NICs (null when it has none); the tap names follow the slots.</summary>
    public static IReadOnlyList<TapPort>? Ports(VmId vm, string name, IReadOnlyList<AgentNic>? nics) =>
        nics is not { Count: > 0 } ? null : [.. nics.Select((n, i) =>
        {
            if (string.IsNullOrWhiteSpace(n.Mac) || string.IsNullOrWhiteSpace(n.Bridge))
                throw new ArgumentException($"NIC {i} of VM {name} needs a mac and a bridge.");
            return new TapPort(QemuVmSpec.TapName(vm, i), n.Bridge, n.Mac,
                n is { Ip: { } ip, Subnet: { } subnet, Gateway: { } gateway, Domain: { } domain }
                    ? new NicAddressing(n.Network, ip, subnet, gateway, domain, n.HostName ?? name, n.Vlan) : null, Rules(n.Ingress));
        })];
}
