using System.Diagnostics;
using System.Security.Cryptography;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Drivers.Network;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Processes;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>Issues 11 and 13's crash test for the names a node's DNS answers (<c>PublishNames</c>), which only a node with
/// real networking has: the server is a real <c>octopus serve</c> process (SQLite store, qcow2 disks in a storage folder
/// shared with the agent); the agent runs in this process with its bridges, taps, dnsmasq and QEMU in a network namespace
/// the test creates and deletes, and outlives every server crash, as a host would. One VM (web) on network lab runs
/// throughout. For each boundary of a names publication (claimed, executed: the node has the names but the outcome is not
/// recorded, completed) the server is started with <c>OCTOPUS_CRASH_AT</c>, a second VM is created on lab (its create's
/// outcome journals the publication for the host), the server kills itself (SIGKILL) at the boundary and is started again
/// without the knob. Then, after one control-loop interval (0.2 s here; the test allows 30 s for a loaded machine and
/// prints what it took): both VMs run, nothing is pending or running, every publication ended Succeeded, and the node's
/// hosts.dns answers exactly the names the store has, each once, from the dnsmasq that served lab from the start. The
/// second VM is deleted before the next round, and its name must leave the node's DNS. dnsmasq, QEMU and the namespace are
/// stopped and removed by PID and name of what the test made.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PublishNamesCrashTests : IAsyncDisposable
{
    private readonly AgentCrashHarness _h = new("opn-", "names-crash-Passw0rd", "names-crash-join-token-0123456789");
    private readonly string _namespace = $"opn-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    private bool _namespaceMade;

    private HostNetworkOptions AgentNet => new() { Namespace = _namespace, StateFolder = Path.Combine(_h.Root, "a1", "net") };
    private string NamesFile => Path.Combine(new DnsmasqServer(new CommandRunner(AgentNet), AgentNet).FolderOf("lab"), "hosts.dns");

    [Fact]
    public async Task KillAtEveryNamesBoundary_Restart_NodeAnswersEveryStoredNameOnce()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        Assert.SkipUnless(Geteuid() == 0, "network namespaces need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/dnsmasq" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");
        Assert.SkipWhen(!File.Exists(ServeProcess.DllPath), $"the CLI build is missing at {ServeProcess.DllPath}");
        var add = await new CommandRunner(new HostNetworkOptions { StateFolder = _h.Root }).RunAsync("/usr/sbin/ip", ["netns", "add", _namespace],
            CancellationToken.None, allowFailure: true);
        Assert.SkipWhen(add.ExitCode != 0, $"cannot create a network namespace here: {add.Error.Trim()}");
        _namespaceMade = true;
        var total = Stopwatch.StartNew();
        var guest = await GuestFiles.BuildAsync();
        await _h.PrepareAsync();
        await _h.StartServerAsync(crashAt: null);
        await _h.StartAgentAsync(guest, _namespace);
        int dnsmasq;
        using (var client = await _h.Server!.LoginAsync())
        {
            await AgentCrashHarness.WaitForHostOnAsync(client);
            var file = Path.Combine(_h.ServerData, "import", "test-guest.qcow2");
            File.Copy(guest.Disk, file);
            await client.Images.ImportAsync("test-guest", file);
            await client.Networks.CreateAsync(new NetworkCreateRequest("lab", "br-lab", "10.78.0.0/24", "10.78.0.1", "10.78.0.10-10.78.0.250", "lab.octopus"));
            await CreateOnLabAsync(client, "web");
            await client.Vms.WaitForStateAsync("web", v => v.State == "Running", TimeSpan.FromSeconds(60));
            var (vms, operations) = await AgentCrashHarness.SettledAsync(client);
            AssertNames(vms, operations, "after web's create");
            dnsmasq = RunningDnsmasq() ?? throw new InvalidOperationException("no dnsmasq serves lab on the node");
        }
        Console.WriteLine($"set-up (guest, namespace, server, agent, image, network, web running): {total.Elapsed.TotalSeconds:0.0} s");

        foreach (var boundary in new[] { "claimed", "executed", "completed" })
        {
            var round = Stopwatch.StartNew();
            var name = "n-" + boundary;
            _h.KillServer(); // idle: the next start arms the knob
            await _h.StartServerAsync($"PublishNames:{boundary}");
            using (var client = await _h.Server!.LoginAsync())
            {
                await AgentCrashHarness.WaitForHostOnAsync(client);
                try
                {
                    await CreateOnLabAsync(client, name);
                }
                catch (Exception e) when (e is OctopusConnectionException or HttpRequestException or TaskCanceledException)
                {
                    // The server died while answering; the create was journaled before the runner took it.
                }
            }
            var expected = $"PublishNames:{boundary}:1";
            await _h.WaitForCrashAsync(expected);

            await _h.StartServerAsync(crashAt: null);
            using (var client = await _h.Server!.LoginAsync())
            {
                var settling = Stopwatch.StartNew();
                var (vms, operations) = await AgentCrashHarness.SettledAsync(client);
                var took = settling.Elapsed;
                var because = $"after a crash at {expected} (settled {took.TotalMilliseconds:0} ms after the restart)\n{_h.ServerLog()}";
                vms.Select(v => $"{v.Name} {v.State}").Should().BeEquivalentTo(["web Running", $"{name} Running"], because);
                AssertNames(vms, operations, because);
                RunningDnsmasq().Should().Be(dnsmasq, "the node's dnsmasq rereads the names; the server's crash does not touch it");
                Console.WriteLine($"{expected}: settled {took.TotalMilliseconds:0} ms after the restart; round {round.Elapsed.TotalSeconds:0.0} s");

                // The delete's outcome publishes the names again: the gone VM's name leaves the node's DNS.
                await client.Vms.DeleteAsync(name);
                var deadline = DateTime.UtcNow + AgentCrashHarness.Settle;
                while ((await client.Vms.ListPageAsync(limit: 500)).Items.Any(v => v.Name == name) && DateTime.UtcNow < deadline) await Task.Delay(100);
                (vms, operations) = await AgentCrashHarness.SettledAsync(client);
                vms.Select(v => v.Name).Should().Equal(["web"], because);
                AssertNames(vms, operations, $"after {name}'s delete");
            }
        }
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0.0} s");
    }

    private static Task<VmDto> CreateOnLabAsync(OctopusClient client, string name) =>
        client.Vms.CreateAsync(new VmCreateRequest(name, 1, 128L << 20, 64L << 20, "test-guest", Networks: ["lab"]));

    /// <summary>Every names publication journaled so far ended Succeeded (a replay after a crash is not a failure, and none
    /// waits out a backoff), and the node's hosts.dns answers exactly the NICs the store has, each once.</summary>
    private void AssertNames(IReadOnlyList<VmDto> vms, IReadOnlyList<OperationDto> operations, string because)
    {
        var published = operations.Where(o => o.Kind.Replace("-", "", StringComparison.Ordinal).Equals("PublishNames", StringComparison.OrdinalIgnoreCase)).ToList();
        published.Should().NotBeEmpty(because);
        published.Select(o => $"{o.Status} {o.Error}").Should().AllBe("Succeeded ", because);
        var lines = File.ReadAllLines(NamesFile);
        lines.Should().OnlyHaveUniqueItems(because);
        var stored = vms.SelectMany(v => v.Nics ?? []).Select(n => $"{n.Ip} {n.DnsName} {n.DnsName.Split('.')[0]}");
        lines.Should().BeEquivalentTo(stored, $"the node answers the names the store has; {because}");
    }

    private int? RunningDnsmasq() => new DnsmasqServer(new CommandRunner(AgentNet), AgentNet).RunningPid("lab");

    public async ValueTask DisposeAsync()
    {
        await _h.StopAsync();
        if (_namespaceMade)
        {
            // dnsmasq by the PID its state folder records, then the namespace the test made (and with it the bridge and taps).
            await new DnsmasqServer(new CommandRunner(AgentNet), AgentNet).StopAsync("lab", CancellationToken.None);
            await new CommandRunner(new HostNetworkOptions { StateFolder = _h.Root }).RunAsync("/usr/sbin/ip", ["netns", "del", _namespace],
                CancellationToken.None, allowFailure: true);
        }
        await _h.DisposeAsync();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
