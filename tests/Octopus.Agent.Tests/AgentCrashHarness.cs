using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Drivers.Qemu;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>What the crash tests with a real agent share: a real <c>octopus serve</c> process (SQLite store, qcow2 disks in
/// a storage folder shared with the agent) that a test kills and starts again on the same port and data folder, so the
/// agent, which runs in the test's process and outlives every crash as a host would, keeps reporting to it; its output
/// across restarts; the waits for the host and for a settled cluster; and the clean-up of everything under one short
/// temporary folder (QEMU by PID).</summary>
internal sealed class AgentCrashHarness : IAsyncDisposable
{
    private static readonly string[] Transitional = ["Pending", "Creating", "Starting", "Stopping", "Migrating", "Deleting", "Suspending", "Resuming"];
    private readonly string _password;
    private readonly StringBuilder _log = new();
    private readonly int _port = TestProcesses.FreeLoopbackPort();

    /// <param name="prefix">The temporary folder's prefix; short, as QMP socket paths under it must fit in 107 bytes.</param>
    public AgentCrashHarness(string prefix, string password, string joinToken)
    {
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
        _password = password;
        JoinToken = joinToken;
    }

    /// <summary>How long a restarted server may take to settle (a loaded machine; the tests print what it took).</summary>
    public static TimeSpan Settle { get; } = TimeSpan.FromSeconds(30);

    public string Root { get; }
    public string JoinToken { get; }
    public string Storage => Path.Combine(Root, "s");
    public string ServerData => Path.Combine(Root, "srv");
    public string ServerUrl => $"http://127.0.0.1:{_port}";
    public ServeProcess? Server { get; private set; }
    public WebApplication? Agent { get; private set; }

    /// <summary>The storage and import folders and the server's configuration: the QEMU driver, this join token, qcow2
    /// disks in <see cref="Storage"/>, a 0.2 s control loop.</summary>
    public async Task PrepareAsync()
    {
        Directory.CreateDirectory(Storage);
        Directory.CreateDirectory(Path.Combine(ServerData, "import"));
        await File.WriteAllTextAsync(Path.Combine(Root, "server.json"), $$"""
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
    }

    /// <summary>Starts the server, with <c>OCTOPUS_CRASH_AT</c> set to <paramref name="crashAt"/> when it is not null.</summary>
    public async Task StartServerAsync(string? crashAt) =>
        Server = await ServeProcess.StartAsync(ServerData, _password, _log, new Dictionary<string, string?>
        {
            ["OCTOPUS_CONFIG"] = Path.Combine(Root, "cli.json"),
            [Application.Control.CrashAtStepBoundary.Variable] = crashAt,
        }, _port, ["--config", Path.Combine(Root, "server.json")]);

    /// <summary>Builds and starts the agent (host a1, 2 cores, 2 GiB) on this harness's folders, server and token, booting
    /// <paramref name="guest"/>'s kernel, with its networking in <paramref name="networkNamespace"/> when one is given.</summary>
    public async Task StartAgentAsync(GuestFiles guest, string? networkNamespace = null)
    {
        Agent = AgentHost.Build(new AgentOptions
        {
            Listen = $"127.0.0.1:{TestProcesses.FreeLoopbackPort()}", Data = Path.Combine(Root, "a1"), Storage = Storage, Server = ServerUrl,
            Token = JoinToken, Name = "a1", Cores = 2, MemoryBytes = 2L << 30, Kernel = guest.Kernel, Initrd = guest.Initrd, Append = guest.Append,
            NetworkNamespace = networkNamespace,
            // Slower than the control loop (0.2 s): after each restart the telemetry pass surely looks at the host before
            // the agent's first heartbeat reaches the new process (which once marked the running VM Failed).
            HeartbeatInterval = TimeSpan.FromSeconds(3),
        });
        await AgentHost.StartAsync(Agent, CancellationToken.None);
    }

    /// <summary>Waits for the server to have killed itself at <paramref name="expected"/> (KIND:BOUNDARY:N), checks that
    /// its log says so, and disposes of the process.</summary>
    public async Task WaitForCrashAsync(string expected)
    {
        (await Server!.WaitForExitAsync(TimeSpan.FromSeconds(90))).Should().BeTrue($"the server should have killed itself at {expected}\n{ServerLog()}");
        ServerLog().Should().Contain(Application.Control.CrashAtStepBoundary.Announcement + expected, "the server died at the boundary asked for, not elsewhere");
        KillServer();
    }

    public void KillServer()
    {
        Server?.Dispose();
        Server = null;
    }

    public string ServerLog() => ServeProcess.Text(_log);

    /// <summary>The VMs and operations once nothing is transitional, pending or running (or <see cref="Settle"/> passed).</summary>
    public static async Task<(IReadOnlyList<VmDto> Vms, IReadOnlyList<OperationDto> Operations)> SettledAsync(OctopusClient client)
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

    /// <summary>Waits up to 30 s for the agent's host to be the one host, On.</summary>
    public static async Task WaitForHostOnAsync(OctopusClient client)
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

    /// <summary>Kills the server, stops the agent and kills the QEMU processes under <see cref="Root"/> by PID; the folder
    /// stays (a test may have more to stop by what it holds). Safe to call twice.</summary>
    public async Task StopAsync()
    {
        KillServer();
        if (Agent is { } agent)
        {
            Agent = null;
            try
            {
                await agent.StopAsync();
                await agent.Services.GetRequiredService<QemuNodeDriver>().DisposeAsync();
                await agent.DisposeAsync();
            }
            catch (Exception) { /* best effort */ }
        }
        foreach (var pid in LocalCluster.QemuProcessesUnder(Root))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (Exception) { /* gone */ }
        }
        for (var i = 0; i < 100 && LocalCluster.QemuProcessesUnder(Root).Count > 0; i++) await Task.Delay(50);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
