using System.Security.Cryptography;
using Octopus.Drivers;
using Octopus.Drivers.Network;
using Octopus.Drivers.Network.Bridges;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Firewall;
using Octopus.Drivers.Network.Processes;

namespace Octopus.Agent.Tests;

/// <summary>The agent's networking for real, in a network namespace the test creates and deletes (acting as the node):
/// plugging a VM's NICs makes the bridge with the gateway address, the taps, a dnsmasq serving exactly the node's NICs
/// and the anti-spoofing table, and the names the server publishes for the network; unplugging takes them back out; VLAN
/// networks are refused. dnsmasq is stopped by PID.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentNetworkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TapPort Port(string tap, string ip, string name, int? vlan = null) =>
        new(tap, "br-lab", Domain.Networks.MacAddress.ForAddress(Domain.Networks.Ipv4Address.Parse(ip, "ip")).ToString(),
            new NicAddressing("lab", ip, "10.77.0.0/24", "10.77.0.1", "lab.octopus", name, vlan));

    [Fact]
    public async Task PlugAndUnplug_ServeExactlyTheNodesNics()
    {
        Assert.SkipUnless(Geteuid() == 0, "network namespaces need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/dnsmasq" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");
        var ns = $"oa-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var state = Directory.CreateTempSubdirectory("oa-net-").FullName;
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        var net = new HostNetworkOptions { Namespace = ns, StateFolder = state };
        var root = new CommandRunner(new HostNetworkOptions { StateFolder = state });
        var add = await root.RunAsync("/usr/sbin/ip", ["netns", "add", ns], Ct, allowFailure: true);
        Assert.SkipWhen(add.ExitCode != 0, $"cannot create a network namespace here: {add.Error.Trim()}");
        var run = new CommandRunner(net);
        var dnsmasq = new DnsmasqServer(run, net);
        try
        {
            var bridges = new LinuxBridgeDriver(run, net);
            var firewall = new NftablesFirewall(run, net);
            var defined = new List<TapPort>(); // the NICs of the VMs the node's QEMU driver has defined
            var network = new AgentNetwork(bridges, dnsmasq, firewall, () => defined, namesFolder: Path.Combine(state, "names"));
            var web = Port("oaweb0", "10.77.0.10", "web");
            var db = Port("oadb0", "10.77.0.11", "db");

            await network.PlugAsync([web], Ct);
            defined.Add(web);
            await network.PlugAsync([db], Ct);
            defined.Add(db);
            await network.PlugAsync([db], Ct); // a replay changes nothing

            (await run.RunAsync("/usr/sbin/ip", ["-o", "addr", "show", "dev", "br-lab"], Ct)).Output.Should().Contain("10.77.0.1/24");
            (await bridges.MasterOfAsync("oaweb0", Ct)).Should().Be("br-lab");
            var hosts = Path.Combine(dnsmasq.FolderOf("lab"), "hosts.dhcp");
            File.ReadAllText(hosts).Should().Be($"{web.Mac},10.77.0.10,web\n{db.Mac},10.77.0.11,db\n");
            var pid = dnsmasq.RunningPid("lab");
            pid.Should().NotBeNull();
            var rules = await firewall.ListAsync(Ct);
            rules.Should().Contain("chain from-oaweb0").And.Contain("chain from-oadb0").And.Contain("ip saddr != 10.77.0.10 drop");

            // The server publishes the whole network's names: the node answers those of other hosts' NICs (DNS only, no
            // lease); its own NICs stay as their specs say; a new list replaces the last one.
            var names = Path.Combine(dnsmasq.FolderOf("lab"), "hosts.dns");
            await network.PublishNamesAsync("lab", [new("10.77.0.11", "db"), new("10.77.0.20", "far"), new("10.77.0.21", "away")], Ct);
            File.ReadAllText(names).Should().Be("10.77.0.10 web.lab.octopus web\n10.77.0.11 db.lab.octopus db\n10.77.0.20 far.lab.octopus far\n" +
                "10.77.0.21 away.lab.octopus away\n");
            File.ReadAllText(hosts).Should().Be($"{web.Mac},10.77.0.10,web\n{db.Mac},10.77.0.11,db\n", "published names get no lease here");
            await network.PublishNamesAsync("lab", [new("10.77.0.20", "far")], Ct);
            File.ReadAllText(names).Should().NotContain("away");
            dnsmasq.RunningPid("lab").Should().Be(pid, "dnsmasq rereads the names");
            (await FluentActions.Awaiting(() => network.PublishNamesAsync("lab", [new("10.77.0.22", "evil\n10.0.0.1 x")], Ct)).Should().ThrowAsync<DriverException>())
                .WithMessage("*is not a host name*");
            (await FluentActions.Awaiting(() => network.PublishNamesAsync("Lab!", [], Ct)).Should().ThrowAsync<DriverException>())
                .WithMessage("*'Lab!' is not a network name*");

            await network.UnplugAsync([web], Ct);
            defined.Remove(web);
            (await bridges.ExistsAsync("oaweb0", Ct)).Should().BeFalse();
            File.ReadAllText(hosts).Should().Be($"{db.Mac},10.77.0.11,db\n", "the node serves the NICs it still has");
            dnsmasq.RunningPid("lab").Should().Be(pid, "the same dnsmasq rereads its hosts");
            (await firewall.ListAsync(Ct)).Should().NotContain("oaweb0");

            await network.UnplugAsync([db], Ct);
            defined.Remove(db);
            dnsmasq.RunningPid("lab").Should().BeNull("no NIC of network lab is left on this node");

            (await FluentActions.Awaiting(() => network.PlugAsync([Port("oavlan0", "10.77.0.12", "v", vlan: 7)], Ct)).Should().ThrowAsync<DriverException>())
                .WithMessage("*network lab is a VLAN network (tag 7)*");
        }
        finally
        {
            await dnsmasq.StopAsync("lab", CancellationToken.None);
            await root.RunAsync("/usr/sbin/ip", ["netns", "del", ns], CancellationToken.None, allowFailure: true);
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
