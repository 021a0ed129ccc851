using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Octopus.Contracts;
using Octopus.TestKit;
using static Octopus.Agent.Tests.LocalClusterScript;

namespace Octopus.Agent.Tests;

/// <summary>Two hosts on one machine: scripts/local-cluster 2 --netns runs each agent in a network namespace it creates
/// (bridges, taps, dnsmasq, nftables and QEMU live there), joined to the others by an uplink veth into a switch namespace,
/// and to the server by a management veth into a root-namespace bridge. A VM on network lab boots the real test guest
/// (TCG) on one of them and gets its static lease from that host's dnsmasq; the time from create to the lease on the
/// guest console goes to the test output. stop removes exactly the namespaces and bridge the script made, also when the
/// test fails.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NetnsClusterTests
{
    [Fact]
    public async Task NetnsCluster_TwoAgentsInTwoNamespacesRegister_VmGetsItsLease_StopRemovesTheNamespaces()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        Assert.SkipUnless(Geteuid() == 0, "network namespaces need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/dnsmasq" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");
        var root = RepoRoot();
        var dir = Path.Combine("/tmp", "oa-ns" + Guid.NewGuid().ToString("N")[..6]);
        var port = TestProcesses.FreeLoopbackPort();
        try
        {
            var start = await RunAsync(root, "2", "--netns", "--dir", dir, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.Exit.Should().Be(0, start.Output);
            var made = File.ReadAllLines(Path.Combine(dir, "netns")).Select(l => l.Split(' ')).ToList();
            var namespaces = made.Where(m => m[0] == "ns").Select(m => m[1]).ToList();
            namespaces.Should().HaveCount(3, "two hosts and their uplink switch");
            (await Ip("netns", "list")).Should().Contain(namespaces[1]).And.Contain(namespaces[2]);
            var url = ServerUrl().Match(start.Output).Groups[1].Value;
            url.Should().StartWith("http://10.251.", "the agents in their namespaces reach the server on the management bridge");

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var health = await http.GetFromJsonAsync<HealthDto>(ApiRoutes.Health, LocalCluster.Json);
            health!.HostsOn.Should().Be(2);
            var token = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", "local-cluster-pw"));
            token.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<TokenResponse>(LocalCluster.Json))!.Token);

            (await http.PostAsJsonAsync(ApiRoutes.Networks, new NetworkCreateRequest("lab", "br-lab", "10.77.0.0/24", "10.77.0.1", "10.77.0.10-10.77.0.250", "lab.octopus")))
                .StatusCode.Should().Be(HttpStatusCode.Created);
            var clock = Stopwatch.StartNew();
            var created = await http.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("web", 1, 128L << 20, 64L << 20, "test-guest", Networks: ["lab"]));
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var vm = await LocalCluster.WaitForAsync(async () =>
            {
                var v = await http.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("web"), LocalCluster.Json);
                return v!.State == "Running" && v.Host is not null ? v : null;
            }, TimeSpan.FromSeconds(90), "web running");
            var running = clock.Elapsed;
            var ip = vm.Nics!.Single().Ip;
            var console = await LocalCluster.WaitForAsync(async () =>
            {
                var text = (await http.GetFromJsonAsync<VmConsoleDto>(ApiRoutes.VmConsole("web", 64 * 1024), LocalCluster.Json))!.Text;
                return text.Contains($"OCTOPUS-GUEST-LEASE {ip}/24 on eth0", StringComparison.Ordinal) ? text : null;
            }, TimeSpan.FromSeconds(120), $"the lease of {ip} on web's console");
            var leased = clock.Elapsed;
            console.Should().Contain("OCTOPUS-GUEST-READY");

            // The lease came from the dnsmasq of the VM's host, inside that host's namespace.
            var host = vm.Host!;
            var ns = namespaces.Single(n => n.EndsWith("-" + host[^1..], StringComparison.Ordinal));
            File.ReadAllText(Path.Combine(dir, "a" + host[^1..], "net", "dnsmasq", "lab", "leases")).Should().Contain($"{vm.Nics![0].Mac} {ip} web");
            (await Ip("-n", ns, "-o", "link", "show", "master", "br-lab")).Should().Contain("up0", "the agent joined its uplink to the network's bridge");
            (await Ip("-o", "link", "show")).Should().NotContain("br-lab", "the VM's network lives in the host's namespace, not the machine's");
            TestContext.Current.SendDiagnosticMessage(
                $"netns cluster: web running on {host} {running.TotalSeconds:0.0} s after create; DHCP lease {ip} on its console {leased.TotalSeconds:0.0} s after create");

            var stop = await RunAsync(root, "stop", "--dir", dir);
            stop.Exit.Should().Be(0, stop.Output);
            var left = await Ip("netns", "list");
            foreach (var n in namespaces) left.Should().NotContain(n);
            (await Ip("-o", "link", "show")).Should().NotContain(made.Single(m => m[0] == "bridge")[1]);
        }
        finally
        {
            if (File.Exists(Path.Combine(dir, "pids")) || File.Exists(Path.Combine(dir, "netns"))) await RunAsync(root, "stop", "--dir", dir);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"server (http://[0-9.]+:[0-9]+)")]
    private static partial Regex ServerUrl();

    private static async Task<string> Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/sbin/ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
