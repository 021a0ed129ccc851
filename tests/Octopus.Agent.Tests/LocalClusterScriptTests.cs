using System.Net.Http.Json;
using Octopus.Contracts;

using Octopus.TestKit;
using static Octopus.Agent.Tests.LocalClusterScript;

namespace Octopus.Agent.Tests;

/// <summary>Runs scripts/local-cluster as documented (start 2 agents, then stop) with the CLI built next to the tests.</summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task LocalCluster_StartsServerAndTwoAgents_StopKillsThemByPid()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        var root = RepoRoot();
        var dir = Path.Combine("/tmp", "oa-lc" + Guid.NewGuid().ToString("N")[..6]);
        var port = TestProcesses.FreeLoopbackPort();
        try
        {
            var start = await RunAsync(root, "2", "--dir", dir, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.Exit.Should().Be(0, start.Output);
            start.Output.Should().Contain("agent-2  pid");
            using var http = new HttpClient();
            var health = await http.GetFromJsonAsync<HealthDto>($"http://127.0.0.1:{port}{ApiRoutes.Health}", LocalCluster.Json);
            health!.Driver.Should().Be("qemu");
            health.HostsOn.Should().Be(2);
            var pids = File.ReadAllLines(Path.Combine(dir, "pids")).Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            pids.Should().HaveCount(3);

            var stop = await RunAsync(root, "stop", "--dir", dir);
            stop.Exit.Should().Be(0, stop.Output);
            pids.Should().OnlyContain(pid => !Directory.Exists($"/proc/{pid}"));
        }
        finally
        {
            if (File.Exists(Path.Combine(dir, "pids"))) await RunAsync(root, "stop", "--dir", dir);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task LocalCluster_BadArgument_ExitsTwoWithOneErrorLine()
    {
        var run = await RunAsync(RepoRoot(), "lots");
        run.Exit.Should().Be(2);
        run.Output.Trim().Should().StartWith("error:");
    }
}
