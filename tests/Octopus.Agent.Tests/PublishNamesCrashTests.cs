using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Octopus.Application.Control;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Drivers.Network;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Processes;
using Octopus.Drivers.Qemu;
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
    private const string Password = "names-crash-Passw0rd";
    private const string JoinToken = "names-crash-join-token-0123456789";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private static readonly string[] Transitional = ["Pending", "Creating", "Starting", "Stopping", "Migrating", "Deleting", "Suspending", "Resuming"];

    // Short: QMP socket paths under it must fit in 107 bytes.
    private readonly string _root = Directory.CreateTempSubdirectory("opn-").FullName;
    private readonly string _namespace = $"opn-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    private readonly StringBuilder _log = new();
    private readonly int _port = TestProcesses.FreeLoopbackPort();
    private ServeProcess? _server;
    private WebApplication? _agent;
    private bool _namespaceMade;

    private string Storage => Path.Combine(_root, "s");
    private string ServerData => Path.Combine(_root, "srv");
    private string AgentData => Path.Combine(_root, "a1");
    private string ServerUrl => $"http://127.0.0.1:{_port}";
    private HostNetworkOptions AgentNet => new() { Namespace = _namespace, StateFolder = Path.Combine(AgentData, "net") };
    private string NamesFile => Path.Combine(new DnsmasqServer(new CommandRunner(AgentNet), AgentNet).FolderOf("lab"), "hosts.dns");

    [Fact]
    public async Task KillAtEveryNamesBoundary_Restart_NodeAnswersEveryStoredNameOnce()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        Assert.SkipUnless(Geteuid() == 0, "network namespaces need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/dnsmasq" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");
        Assert.SkipWhen(!File.Exists(ServeProcess.DllPath), $"the CLI build is missing at {ServeProcess.DllPath}");
        var add = await new CommandRunner(new HostNetworkOptions { StateFolder = _root }).RunAsync("/usr/sbin/ip", ["netns", "add", _namespace],
            CancellationToken.None, allowFailure: true);
        Assert.SkipWhen(add.ExitCode != 0, $"cannot create a network namespace here: {add.Error.Trim()}");
        _namespaceMade = true;
        var total = Stopwatch.StartNew();
        var guest = await GuestFiles.BuildAsync();
        Directory.CreateDirectory(Storage);
        Directory.CreateDirectory(Path.Combine(ServerData, "import"));
        await WriteConfigAsync();

        await StartServerAsync(crashAt: null);
        _agent = AgentHost.Build(new AgentOptions
        {
            Listen = $"127.0.0.1:{TestProcesses.FreeLoopbackPort()}", Data = AgentData, Storage = Storage, Server = ServerUrl,
            Token = JoinToken, Name = "a1", Cores = 2, MemoryBytes = 2L << 30, Kernel = guest.Kernel, Initrd = guest.Initrd, Append = guest.Append,
            NetworkNamespace = _namespace,
            // Slower than the control loop (0.2 s): after each restart the telemetry pass surely looks at the host before
            // the agent's first heartbeat reaches the new process.
            HeartbeatInterval = TimeSpan.FromSeconds(3),
        });
        await AgentHost.StartAsync(_agent, CancellationToken.None);
        int dnsmasq;
        using (var client = await _server!.LoginAsync())
        {
            await WaitForHostOnAsync(client);
            var file = Path.Combine(ServerData, "import", "test-guest.qcow2");
            File.Copy(guest.Disk, file);
            await client.Images.ImportAsync("test-guest", file);
            await client.Networks.CreateAsync(new NetworkCreateRequest("lab", "br-lab", "10.78.0.0/24", "10.78.0.1", "10.78.0.10-10.78.0.250", "lab.octopus"));
            await CreateOnLabAsync(client, "web");
            await client.Vms.WaitForStateAsync("web", v => v.State == "Running", TimeSpan.FromSeconds(60));
            var (vms, operations) = await SettledAsync(client);
            AssertNames(vms, operations, "after web's create");
            dnsmasq = RunningDnsmasq() ?? throw new InvalidOperationException("no dnsmasq serves lab on the node");
        }
        Console.WriteLine($"set-up (guest, namespace, server, agent, image, network, web running): {total.Elapsed.TotalSeconds:0.0} s");

        foreach (var boundary in new[] { "claimed", "executed", "completed" })
        {
            var round = Stopwatch.StartNew();
            var name = "n-" + boundary;
            KillServer(); // idle: the next start arms the knob
            await StartServerAsync($"PublishNames:{boundary}");
            using (var client = await _server!.LoginAsync())
            {
                await WaitForHostOnAsync(client);
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
            (await _server.WaitForExitAsync(TimeSpan.FromSeconds(90))).Should().BeTrue($"the server should have killed itself at {expected}\n{ServerLog()}");
            ServerLog().Should().Contain(CrashAtStepBoundary.Announcement + expected, "the server died at the boundary asked for, not elsewhere");
            KillServer();

            await StartServerAsync(crashAt: null);
            using (var client = await _server!.LoginAsync())
            {
                var settling = Stopwatch.StartNew();
                var (vms, operations) = await SettledAsync(client);
                var took = settling.Elapsed;
                var because = $"after a crash at {expected} (settled {took.TotalMilliseconds:0} ms after the restart)\n{ServerLog()}";
                vms.Select(v => $"{v.Name} {v.State}").Should().BeEquivalentTo(["web Running", $"{name} Running"], because);
                AssertNames(vms, operations, because);
                RunningDnsmasq().Should().Be(dnsmasq, "the node's dnsmasq rereads the names; the server's crash does not touch it");
                Console.WriteLine($"{expected}: settled {took.TotalMilliseconds:0} ms after the restart; round {round.Elapsed.TotalSeconds:0.0} s");

                // The delete's outcome publishes the names again: the gone VM's name leaves the node's DNS.
                await client.Vms.DeleteAsync(name);
                var deadline = DateTime.UtcNow + Settle;
                while ((await client.Vms.ListPageAsync(limit: 500)).Items.Any(v => v.Name == name) && DateTime.UtcNow < deadline) await Task.Delay(100);
                (vms, operations) = await SettledAsync(client);
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

    private static async Task<(IReadOnlyList<VmDto> Vms, IReadOnlyList<OperationDto> Operations)> SettledAsync(OctopusClient client)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            var vms = (await client.Vms.ListPageAsync(limit: 500)).Items;
            var operations = (await client.Operations.ListPageAsync(limit: 500)).Items.OrderBy(o => o.CreatedAt).ToList();
            if ((!vms.Any(v => Transitional.Contains(v.State)) && !operations.Any(o => o.Status is "Pending" or "Running")) || DateTime.UtcNow > deadline)
                return (vms, operations);
            await Task.Delay(50);
        }
    }

    private static async Task WaitForHostOnAsync(OctopusClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var hosts = new List<HostDto>();
            await foreach (var h in client.Hosts.ListAsync()) hosts.Add(h);
            if (hosts.Count == 1 && hosts[0].PowerState == "On") return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the agent's host is not On: {string.Join(", ", hosts.Select(h => $"{h.Name} {h.PowerState}"))}");
            await Task.Delay(200);
        }
    }

    private Task WriteConfigAsync() => File.WriteAllTextAsync(Path.Combine(_root, "server.json"), $$"""
        {
          "Octopus": {
            "Driver": "qemu",
            "Agents": { "JoinToken": "{{JoinToken}}", "HeartbeatTimeout": "00:00:30" },
            "Storage": { "Backend": "qemu-img", "Folder": "{{Storage}}" },
            "Images": [ { "Name": "placeholder", "Size": "64MiB" } ],
            "Scheduler": { "Interval": "00:00:00.2" }
          }
        }
        """);

    /// <summary>Starts the server on the same port and data folder each time (the agent keeps reporting to that address).</summary>
    private async Task StartServerAsync(string? crashAt) =>
        _server = await ServeProcess.StartAsync(ServerData, Password, _log, new Dictionary<string, string?>
        {
            ["OCTOPUS_CONFIG"] = Path.Combine(_root, "cli.json"),
            [CrashAtStepBoundary.Variable] = crashAt,
        }, _port, ["--config", Path.Combine(_root, "server.json")]);

    private void KillServer()
    {
        _server?.Dispose();
        _server = null;
    }

    private string ServerLog() => ServeProcess.Text(_log);

    public async ValueTask DisposeAsync()
    {
        KillServer();
        if (_agent is not null)
        {
            try
            {
                await _agent.StopAsync();
                await _agent.Services.GetRequiredService<QemuNodeDriver>().DisposeAsync();
                await _agent.DisposeAsync();
            }
            catch (Exception) { /* best effort */ }
        }
        foreach (var pid in LocalCluster.QemuProcessesUnder(_root))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (Exception) { /* gone */ }
        }
        for (var i = 0; i < 100 && LocalCluster.QemuProcessesUnder(_root).Count > 0; i++) await Task.Delay(50);
        if (_namespaceMade)
        {
            // dnsmasq by the PID its state folder records, then the namespace the test made (and with it the bridge and taps).
            await new DnsmasqServer(new CommandRunner(AgentNet), AgentNet).StopAsync("lab", CancellationToken.None);
            await new CommandRunner(new HostNetworkOptions { StateFolder = _root }).RunAsync("/usr/sbin/ip", ["netns", "del", _namespace],
                CancellationToken.None, allowFailure: true);
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
