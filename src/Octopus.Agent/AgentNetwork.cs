using System.Runtime.Versioning;
using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Drivers;
using Octopus.Drivers.Network.Bridges;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Firewall;

namespace Octopus.Agent;

/// <summary>This node's side of VM networking, driven only by the NICs of the runtime specs the server sent (create,
/// start, incoming migration) and kept in the VM folders. Right before a VM's QEMU starts: the network's bridge exists
/// with the network's gateway address on it, the VM's taps are ports of it, and then the node's served state is made to
/// match the NICs of every VM defined here: one dnsmasq per network with those NICs' static leases and names, and one
/// nftables table with each NIC's anti-spoofing. After a VM's QEMU exited its taps go and the served state is recomputed
/// without them.
/// <para>Which node serves a network: every node that has a NIC on it, for the NICs it has. Without an uplink each node's
/// bridge is its own layer-2 segment and VLAN networks are refused. With one (<c>--uplink IFACE</c>, the interface that
/// reaches the other hosts) an untagged network's bridge gets IFACE as a port and a VLAN network's bridge gets IFACE.TAG,
/// so a network's VMs on different nodes share one segment; every node keeps the gateway address on its bridge and
/// serves DHCP and DNS to its own VMs, and the firewall keeps DHCP and everything to or from a gateway address off the
/// uplink (<see cref="UplinkFilter"/>). Only one untagged network can use an uplink (an interface has one bridge). Each NIC receives new connections only as its VM's security group (carried in the runtime spec) allows;
/// <see cref="RefreshAsync"/> re-renders the whole table when a group changed on a running VM.</para>
/// <para>Names: a node's dnsmasq answers its own NICs' names from their specs and the names of the network's NICs on other
/// nodes from the list the server last published here (<see cref="PublishNamesAsync"/>, kept in
/// <c>{namesFolder}/{network}</c> as <c>IP NAME</c> lines so it outlives an agent restart).</para></summary>
[SupportedOSPlatform("linux")]
internal sealed class AgentNetwork(LinuxBridgeDriver bridges, DnsmasqServer dnsmasq, NftablesFirewall firewall, Func<IReadOnlyList<TapPort>> defined,
    string? uplink = null, string? namesFolder = null) : ITapPlumbing
{
    private readonly LinuxTapPlumbing _taps = new(bridges);
    // Plugs of different VMs run in parallel; the served state is one whole per node.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task PlugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            foreach (var p in ports)
            {
                if (p.Addressing is not { } a) continue;
                if (a.Vlan is { } vlan && uplink is null)
                    throw new DriverException($"network {a.Network} is a VLAN network (tag {vlan}) meant to span nodes; this agent serves only node-local networks (it has no uplink: start it with --uplink IFACE). Use a network without --vlan.");
                var subnet = Parse(p, () => Ipv4Subnet.Parse(a.Subnet));
                var bridge = Parse(p, () => BridgeName.Parse(p.Bridge));
                await bridges.EnsureBridgeAsync(bridge, $"{a.Gateway}/{subnet.PrefixLength}", ct, uplink, a.Vlan);
                if (uplink is not null && a.Vlan is null)
                {
                    var master = await bridges.MasterOfAsync(uplink, ct);
                    if (master is not null && master != bridge.Value)
                        throw new DriverException($"network {a.Network} (bridge {bridge}) cannot use uplink {uplink}: it already carries the untagged network of bridge {master}, and an interface joins one bridge. Give networks that span hosts a --vlan.");
                    if (master is null) await bridges.AttachAsync(uplink, bridge, ct);
                }
            }
            await _taps.PlugAsync(ports, ct);
            await ServeAsync([.. defined().Where(d => !ports.Any(p => p.Tap == d.Tap)), .. ports], ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task UnplugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await _taps.UnplugAsync(ports, ct);
            await ServeAsync([.. defined().Where(d => !ports.Any(p => p.Tap == d.Tap))], ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await ServeAsync(defined(), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Keeps <paramref name="names"/> as the whole network's names (replacing what was published before) and, when
    /// this node serves the network, has its dnsmasq answer them at once. Refused (a <see cref="DriverException"/>) for a
    /// network name, address or host name that is not one, or when this agent keeps no names.</summary>
    public async Task PublishNamesAsync(string network, IReadOnlyList<NetworkHostName> names, CancellationToken ct)
    {
        if (namesFolder is null) throw new DriverException("this agent keeps no network names (it was built without a names folder).");
        var net = Checked(() => NetworkName.Parse(network), $"'{network}' is not a network name");
        var lines = new System.Text.StringBuilder();
        foreach (var n in names)
        {
            var ip = Checked(() => Ipv4Address.Parse(n.Ip, "ip"), $"name {n.HostName}: '{n.Ip}' is not an IPv4 address");
            var label = Checked(() => DnsDomain.Parse(n.HostName, "hostName"), $"'{n.HostName}' is not a host name");
            if (label.ToString().Contains('.', StringComparison.Ordinal))
                throw new DriverException($"'{n.HostName}' is not a host name: one DNS label, without dots.");
            lines.Append(ip).Append(' ').Append(label).Append('\n');
        }
        await _gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(namesFolder);
            var file = Path.Combine(namesFolder, net.ToString());
            await File.WriteAllTextAsync(file + ".new", lines.ToString(), ct);
            File.Move(file + ".new", file, overwrite: true);
            await ServeAsync(defined(), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The names last published for <paramref name="network"/> (none when nothing was).</summary>
    private List<StaticName> PublishedNames(NetworkName network)
    {
        var file = namesFolder is null ? null : Path.Combine(namesFolder, network.ToString());
        if (file is null || !File.Exists(file)) return [];
        return [.. File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .Select(p => new StaticName(Ipv4Address.Parse(p[0], "ip"), p[1]))];
    }

    private static T Checked<T>(Func<T> parse, string what)
    {
        try { return parse(); }
        catch (DomainException e) { throw new DriverException($"{what}: {e.Message}", e); }
    }

    /// <summary>dnsmasq per network and the firewall table exactly for <paramref name="served"/>; a network with no NIC
    /// left here has its dnsmasq stopped.</summary>
    private async Task ServeAsync(IReadOnlyList<TapPort> served, CancellationToken ct)
    {
        var addressed = served.Where(p => p.Addressing is not null).DistinctBy(p => p.Tap).ToList();
        var networks = addressed.GroupBy(p => p.Addressing!.Network, StringComparer.Ordinal).ToList();
        foreach (var net in networks)
        {
            var first = net.First();
            var a = first.Addressing!;
            var gateway = Parse(first, () => Ipv4Address.Parse(a.Gateway, "gateway"));
            var name = Parse(first, () => NetworkName.Parse(a.Network));
            await dnsmasq.EnsureAsync(new DhcpNetworkSpec(name, Parse(first, () => BridgeName.Parse(first.Bridge)),
                Parse(first, () => Ipv4Subnet.Parse(a.Subnet)), gateway, Parse(first, () => DnsDomain.Parse(a.Domain)), gateway,
                [.. net.Select(p => new StaticHost(Mac(p), Parse(p, () => Ipv4Address.Parse(p.Addressing!.Ip, "ip")), p.Addressing!.HostName))],
                PublishedNames(name)), ct);
        }
        var folder = Path.GetDirectoryName(dnsmasq.FolderOf("x"))!;
        if (Directory.Exists(folder))
            foreach (var gone in Directory.GetDirectories(folder).Select(Path.GetFileName).Where(n => !networks.Any(g => g.Key == n)))
                await dnsmasq.StopAsync(gone!, ct);
        var filter = uplink is null ? null : new UplinkFilter(
            [.. networks.Select(n => n.First().Addressing!.Vlan is { } tag ? $"{uplink}.{tag}" : uplink).Distinct(StringComparer.Ordinal)],
            [.. networks.Select(n => Parse(n.First(), () => Ipv4Address.Parse(n.First().Addressing!.Gateway, "gateway")))]);
        await firewall.ApplyAsync(NicFirewallSpecs.From(addressed), ct, filter);
    }

    private static MacAddress Mac(TapPort p) =>
        MacAddress.TryParse(p.Mac, out var mac) ? mac : throw new DriverException($"'{p.Mac}' is not a MAC address (six hex pairs separated by ':').");

    /// <summary>The server sends checked values; one that is not is refused naming the NIC.</summary>
    private static T Parse<T>(TapPort p, Func<T> parse)
    {
        try { return parse(); }
        catch (DomainException e) { throw new DriverException($"NIC {p.Mac} (tap {p.Tap}): {e.Message}", e); }
    }
}

/// <summary>The node's networking as the agent's services hold it: null where the agent serves no networks (not Linux).</summary>
internal sealed record AgentNetworkSlot(AgentNetwork? Network);
