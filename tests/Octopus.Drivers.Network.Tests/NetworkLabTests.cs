using System.Diagnostics;
using Octopus.Domain.Networks;
using Octopus.Drivers;
using Octopus.Drivers.Network.Bridges;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Firewall;

namespace Octopus.Drivers.Network.Tests;

/// <summary>The network drivers for real, in namespaces the tests make: a bridge and taps by ip, dnsmasq handing static
/// leases to busybox udhcpc and answering names, nftables dropping and allowing as configured.</summary>
public class NetworkLabTests
{
    private static readonly BridgeName Bridge = BridgeName.Parse("br-lab");
    private static readonly Ipv4Subnet Subnet = Ipv4Subnet.Parse("10.77.0.0/24");
    private static readonly Ipv4Address Gateway = Ip("10.77.0.1");
    private static readonly DnsDomain Domain = DnsDomain.Parse("lab.octopus");
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static Ipv4Address Ip(string text) => Ipv4Address.Parse(text, "ip");

    private static DhcpNetworkSpec Spec(params StaticHost[] hosts) =>
        new(NetworkName.Parse("lab"), Bridge, Subnet, Gateway, Domain, Gateway, hosts);

    private static StaticHost Host(string ip, string name) => new(MacAddress.ForAddress(Ip(ip)), Ip(ip), name);

    /// <summary>Asks for a lease from the guest namespace with busybox udhcpc (3 tries, 1 s apart); the leased address or null.</summary>
    private static async Task<string?> LeaseAsync(NetnsLab lab, string guest)
    {
        var (exit, output) = await lab.InAsync(guest, "/usr/bin/busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "3", "-T", "1", "-s", "/bin/true");
        var line = output.Split('\n').FirstOrDefault(l => l.Contains("lease of ", StringComparison.Ordinal));
        return exit == 0 && line is not null ? line.Split("lease of ")[1].Split(' ')[0] : null;
    }

    [Fact]
    public async Task Bridge_EnsureTwice_IsIdempotent_AndTapsJoinAndLeave()
    {
        await using var lab = await NetnsLab.StartAsync();
        var bridges = new LinuxBridgeDriver(lab.Runner, lab.Options);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct); // the second call adds nothing and does not fail
        (await lab.InAsync(lab.HostNamespace, "/usr/sbin/ip", "-o", "addr", "show", "dev", "br-lab")).Out.Split('\n')
            .Count(l => l.Contains("10.77.0.1/24", StringComparison.Ordinal)).Should().Be(1);

        await bridges.EnsureTapAsync("tap-web0", Bridge, Ct);
        await bridges.EnsureTapAsync("tap-web0", Bridge, Ct);
        (await bridges.MasterOfAsync("tap-web0", Ct)).Should().Be("br-lab");
        await bridges.RemoveTapAsync("tap-web0", Ct);
        await bridges.RemoveTapAsync("tap-web0", Ct);
        (await bridges.ExistsAsync("tap-web0", Ct)).Should().BeFalse();
        await FluentActions.Awaiting(() => bridges.EnsureTapAsync("tap/../x", Bridge, Ct)).Should().ThrowAsync<DriverException>();
    }

    [Fact]
    public async Task Dnsmasq_HandsTheStaticLeaseOnly_ResolvesNames_AndReloadsWithoutRestart()
    {
        await using var lab = await NetnsLab.StartAsync();
        var bridges = new LinuxBridgeDriver(lab.Runner, lab.Options);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
        var web = Host("10.77.0.10", "web");
        var (guest, port) = await lab.AddGuestAsync(1, web.Mac);
        var (stranger, strangerPort) = await lab.AddGuestAsync(2, MacAddress.ForAddress(Ip("10.77.0.11")));
        await bridges.AttachAsync(port, Bridge, Ct);
        await bridges.AttachAsync(strangerPort, Bridge, Ct);

        var dnsmasq = new DnsmasqServer(lab.Runner, lab.Options);
        var pid = await dnsmasq.EnsureAsync(Spec(web), Ct);

        var clock = Stopwatch.StartNew();
        (await LeaseAsync(lab, guest)).Should().Be("10.77.0.10");
        var leaseTime = clock.Elapsed;
        TestContext.Current.SendDiagnosticMessage($"DHCP lease in {leaseTime.TotalMilliseconds:0} ms");
        (await LeaseAsync(lab, stranger)).Should().BeNull("no dynamic pool: a MAC Octopus did not allocate gets no lease");

        await lab.InAsync(guest, "/usr/sbin/ip", "addr", "add", "10.77.0.10/24", "dev", "eth0");
        (await lab.InAsync(guest, "/usr/bin/busybox", "nslookup", "web.lab.octopus", "10.77.0.1")).Out.Should().Contain("10.77.0.10");
        (await lab.InAsync(guest, "/usr/bin/busybox", "nslookup", "10.77.0.10", "10.77.0.1")).Out.Should().Contain("web.lab.octopus");

        // A second VM appears: the files are rewritten and the same dnsmasq (same PID) serves it after SIGHUP.
        (await dnsmasq.EnsureAsync(Spec(web, Host("10.77.0.11", "db")), Ct)).Should().Be(pid);
        (await LeaseAsync(lab, stranger)).Should().Be("10.77.0.11");
        (await lab.InAsync(guest, "/usr/bin/busybox", "nslookup", "db.lab.octopus", "10.77.0.1")).Out.Should().Contain("10.77.0.11");

        await dnsmasq.StopAsync("lab", Ct);
        dnsmasq.RunningPid("lab").Should().BeNull();
        File.Exists($"/proc/{pid}/comm").Should().BeFalse();
    }

    [Fact]
    public async Task Nftables_DropsSpoofedSources_AndOpensIngressOnlyAsConfigured()
    {
        await using var lab = await NetnsLab.StartAsync();
        var bridges = new LinuxBridgeDriver(lab.Runner, lab.Options);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
        var mac = MacAddress.ForAddress(Ip("10.77.0.10"));
        var (guest, port) = await lab.AddGuestAsync(1, mac);
        await bridges.AttachAsync(port, Bridge, Ct);
        await lab.InAsync(guest, "/usr/sbin/ip", "addr", "add", "10.77.0.10/24", "dev", "eth0");
        await lab.InAsync(guest, "/usr/sbin/ip", "addr", "add", "10.77.0.99/24", "dev", "eth0"); // an address it does not own
        lab.Spawn(guest, "/usr/bin/busybox", "nc", "-ll", "-p", "8080", "-e", "/bin/echo", "open");

        var firewall = new NftablesFirewall(lab.Runner, lab.Options);
        await firewall.ApplyAsync([new NicFirewallSpec(port, mac, Ip("10.77.0.10"), [])], Ct);

        async Task<bool> Ping(string from) => (await lab.InAsync(guest, "/usr/bin/busybox", "ping", "-c", "1", "-W", "1", "-I", from, "10.77.0.1")).Exit == 0;
        async Task<bool> Connect() => (await lab.InAsync(lab.HostNamespace, "/usr/bin/busybox", "nc", "-w", "2", "10.77.0.10", "8080")).Out.Contains("open", StringComparison.Ordinal);

        (await Ping("10.77.0.10")).Should().BeTrue("the VM may send from its own address, and echo replies come back");
        (await Ping("10.77.0.99")).Should().BeFalse("anti-spoofing drops a forged source");
        (await Connect()).Should().BeFalse("no rule opens TCP 8080 yet");

        // Live change: open 8080 from the host's subnet; the same call with the new rules replaces the table.
        await firewall.ApplyAsync([new NicFirewallSpec(port, mac, Ip("10.77.0.10"), [IngressRule.Tcp(8080, Ipv4Prefix.Parse("10.77.0.0/24"))])], Ct);
        (await Connect()).Should().BeTrue("the rule opens TCP 8080 from 10.77.0.0/24");
        (await firewall.ListAsync(Ct)).Should().Contain("chain from-" + port).And.Contain("set in-" + port);

        await firewall.ApplyAsync([new NicFirewallSpec(port, mac, Ip("10.77.0.10"), [IngressRule.Tcp(8080, Ipv4Prefix.Parse("192.168.0.0/16"))])], Ct);
        (await Connect()).Should().BeFalse("the rule now admits another block only");

        await firewall.RemoveAsync(Ct);
        (await Ping("10.77.0.99")).Should().BeTrue("without the table nothing is filtered");
    }

    /// <summary>A RARP frame as QEMU announces a guest after a live migration (self-announce): broadcast from
    /// <paramref name="source"/>, ethertype 0x8035, opcode 3 (reverse request), sender and target hardware address
    /// <paramref name="sender"/>, no protocol addresses; padded to Ethernet's 60-byte minimum.</summary>
    private static byte[] Rarp(MacAddress source, MacAddress sender)
    {
        static byte[] Bytes(MacAddress m) => Convert.FromHexString(m.ToString().Replace(":", "", StringComparison.Ordinal));
        var frame = new byte[60];
        new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }.CopyTo(frame, 0);
        Bytes(source).CopyTo(frame, 6);
        new byte[] { 0x80, 0x35, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x03 }.CopyTo(frame, 12);
        Bytes(sender).CopyTo(frame, 22); // sender hardware address; sender protocol address 0.0.0.0
        Bytes(sender).CopyTo(frame, 32); // target hardware address; target protocol address 0.0.0.0
        return frame;
    }

    /// <summary>After a live migration QEMU announces the guest with RARP frames so the switches (here: the destination
    /// host's bridge, and through the uplink the others) learn the port it is now behind. Anti-spoofing lets them through
    /// from the VM's own MAC, and the bridge learns it on the VM's port; a RARP with a forged Ethernet source, or with the
    /// VM's source but a forged sender address, is dropped and teaches the bridge nothing.</summary>
    [Fact]
    public async Task Nftables_PassesRarpAnnouncementsFromTheVmsOwnMac_AndDropsForgedOnes()
    {
        await using var lab = await NetnsLab.StartAsync();
        Assert.SkipUnless(File.Exists("/usr/sbin/bridge"), "/usr/sbin/bridge is missing (iproute2)");
        var bridges = new LinuxBridgeDriver(lab.Runner, lab.Options);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
        var mac = MacAddress.ForAddress(Ip("10.77.0.10"));
        var forged = MacAddress.ForAddress(Ip("10.77.0.66"));
        var (vmGuest, port) = await lab.AddGuestAsync(1, mac);
        var (observer, observerPort) = await lab.AddGuestAsync(2, MacAddress.ForAddress(Ip("10.77.0.20")));
        // The rules come first, so nothing the VM sends before them (IPv6 at link-up) teaches the bridge its MAC.
        await new NftablesFirewall(lab.Runner, lab.Options).ApplyAsync([new NicFirewallSpec(port, mac, Ip("10.77.0.10"), [])], Ct);
        await bridges.AttachAsync(port, Bridge, Ct);
        await bridges.AttachAsync(observerPort, Bridge, Ct);

        using var vm = PacketSocket.Open(vmGuest, "eth0", 0x8035);
        using var seen = PacketSocket.Open(observer, "eth0", 0x8035);
        async Task<string> Learned() => (await lab.InAsync(lab.HostNamespace, "/usr/sbin/bridge", "fdb", "show", "dev", port)).Out;
        // Each frame the observer saw as (Ethernet source, RARP sender hardware address).
        List<(string Source, string Sender)> Seen() => [.. seen.Receive(TimeSpan.FromSeconds(1))
            .Select(f => (Convert.ToHexStringLower(f.AsSpan(6, 6)), Convert.ToHexStringLower(f.AsSpan(22, 6))))];
        var own = Convert.ToHexStringLower(Convert.FromHexString(mac.ToString().Replace(":", "", StringComparison.Ordinal)));
        var fake = Convert.ToHexStringLower(Convert.FromHexString(forged.ToString().Replace(":", "", StringComparison.Ordinal)));

        (await Learned()).Should().NotContain(mac.ToString(), "the bridge has not learnt the VM's MAC before its announcement");
        vm.Send(Rarp(mac, mac));
        Seen().Should().Contain((own, own), "a RARP announcement from the VM's own MAC crosses the bridge");
        (await Learned()).Should().Contain(mac.ToString(), "the bridge learns the VM's MAC on its port from the announcement");

        vm.Send(Rarp(forged, forged));
        vm.Send(Rarp(mac, forged));
        var frames = Seen();
        frames.Select(f => f.Source).Should().NotContain(fake, "a RARP from a forged Ethernet source is dropped");
        frames.Select(f => f.Sender).Should().NotContain(fake, "a RARP announcing another MAC is dropped");
        (await Learned()).Should().NotContain(forged.ToString(), "the bridge learns no forged MAC on the VM's port");
    }

    /// <summary>The path a security group takes on a node, from the rules as the store keeps them: SecurityRule →
    /// IngressRule → the NIC's TapPort (what the runtime spec and the agent's VM folder carry) → NicFirewallSpecs → nft.</summary>
    [Fact]
    public async Task SecurityGroup_FromRuleData_OpensATcpPort_AndRemovingTheRuleClosesIt()
    {
        await using var lab = await NetnsLab.StartAsync();
        var bridges = new LinuxBridgeDriver(lab.Runner, lab.Options);
        await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
        var mac = MacAddress.ForAddress(Ip("10.77.0.10"));
        var (guest, port) = await lab.AddGuestAsync(1, mac);
        await bridges.AttachAsync(port, Bridge, Ct);
        await lab.InAsync(guest, "/usr/sbin/ip", "addr", "add", "10.77.0.10/24", "dev", "eth0");
        lab.Spawn(guest, "/usr/bin/busybox", "nc", "-ll", "-p", "8080", "-e", "/bin/echo", "open");
        lab.Spawn(guest, "/usr/bin/busybox", "nc", "-ll", "-p", "9000", "-e", "/bin/echo", "open");
        var vm = new Octopus.Domain.Vms.VmId(Guid.CreateVersion7());
        var addressing = new NicAddressing("lab", "10.77.0.10", "10.77.0.0/24", "10.77.0.1", "lab.octopus", "web");
        var firewall = new NftablesFirewall(lab.Runner, lab.Options);
        async Task ApplyAsync(IEnumerable<SecurityRule> group) => await firewall.ApplyAsync(
            NicFirewallSpecs.From([new TapPort(port, "br-lab", mac.ToString(), addressing, [.. group.Select(r => r.Rule)])]), Ct);
        async Task<bool> Connect(int p) => (await lab.InAsync(lab.HostNamespace, "/usr/bin/busybox", "nc", "-w", "2", "10.77.0.10",
            p.ToString(System.Globalization.CultureInfo.InvariantCulture))).Out.Contains("open", StringComparison.Ordinal);
        async Task<bool> Ping() => (await lab.InAsync(lab.HostNamespace, "/usr/bin/busybox", "ping", "-c", "1", "-W", "1", "10.77.0.10")).Exit == 0;

        await ApplyAsync([]);
        (await Connect(8080)).Should().BeFalse("a VM with no rules receives no new connection");
        (await Ping()).Should().BeFalse("nor pings");

        var now = DateTimeOffset.UnixEpoch;
        var ssh = SecurityRule.Add(vm, IngressRule.Create(IngressProtocol.Tcp, PortRange.Parse("8080"), Ipv4Prefix.Parse("10.77.0.0/24")), [], now);
        var range = SecurityRule.Add(vm, IngressRule.Create(IngressProtocol.Tcp, PortRange.Parse("8500-9500"), Ipv4Prefix.Parse("10.77.0.1")), [ssh], now);
        var icmp = SecurityRule.Add(vm, IngressRule.Icmp(Ipv4Prefix.Parse("10.77.0.0/24")), [ssh, range], now);
        await ApplyAsync([ssh, range, icmp]);
        (await Connect(8080)).Should().BeTrue("the rule opens TCP 8080 from 10.77.0.0/24");
        (await Connect(9000)).Should().BeTrue("9000 is inside the range rule 8500-9500 from the host's address");
        (await Ping()).Should().BeTrue("the icmp rule admits pings");

        await ApplyAsync([range, icmp]); // the 8080 rule removed
        (await Connect(8080)).Should().BeFalse("removing the rule closes the port");
        (await Connect(9000)).Should().BeTrue("the other rules still apply");

        await ApplyAsync([SecurityRule.Add(vm, IngressRule.Create(IngressProtocol.Any, null, Ipv4Prefix.Parse("10.77.0.1/32")), [], now)]);
        (await Connect(8080)).Should().BeTrue("an any-protocol rule admits everything from its source");
        (await Ping()).Should().BeTrue();
    }
}
