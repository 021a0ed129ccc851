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
/// and to the server by a management veth into a root-namespace bridge. Two VMs on network lab boot the real test guest
/// (TCG), one on each host (the second is migrated when the scheduler packed both on one): each gets its static lease
/// from its own host's dnsmasq, resolves the other by name and reverse name (the other's name reaches its host through
/// the names the server publishes) and, once each has an ICMP rule, pings it across the hosts; the commands are typed on
/// the guests' serial consoles. Then a TCP rule opens db's port 8080 to web's busybox nc and its removal closes it, a
/// ping from a forged source gets nothing through, and db migrates back to web's host while web pings it every 0.2 s.
/// The times from create to the leases, the ping round trips and the pings lost during the migration go to the test
/// output (run with -diagnostics). stop removes exactly the namespaces and bridge the script made, also when the test fails.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NetnsClusterTests
{
    [Fact]
    public async Task NetnsCluster_TwoVmsOnTwoHosts_LeasesNamesPingsTcpRuleSpoofingMigration_StopRemovesTheNamespaces()
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
            // Two VMs on lab; they must end on different hosts (if the scheduler put both on one, db moves).
            var clock = Stopwatch.StartNew();
            foreach (var name in new[] { "web", "db" })
            {
                var created = await http.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(name, 1, 128L << 20, 64L << 20, "test-guest", Networks: ["lab"]));
                created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            }
            var leases = new Dictionary<string, TimeSpan>();
            var vms = new Dictionary<string, VmDto>();
            await Task.WhenAll(new[] { "web", "db" }.Select(async name =>
            {
                var vm = await RunningAsync(http, name);
                var ip = vm.Nics!.Single().Ip;
                await LocalCluster.WaitForAsync(async () =>
                {
                    var text = (await http.GetFromJsonAsync<VmConsoleDto>(ApiRoutes.VmConsole(name, 64 * 1024), LocalCluster.Json))!.Text;
                    return text.Contains($"OCTOPUS-GUEST-LEASE {ip}/24 on eth0", StringComparison.Ordinal) ? text : null;
                }, TimeSpan.FromSeconds(120), $"the lease of {ip} on {name}'s console");
                lock (leases) { leases[name] = clock.Elapsed; vms[name] = vm; }
            }));

            // The lease came from the dnsmasq of the VM's host, inside that host's namespace.
            var web = vms["web"];
            File.ReadAllText(Path.Combine(dir, "a" + web.Host![^1..], "net", "dnsmasq", "lab", "leases")).Should().Contain($"{web.Nics![0].Mac} {web.Nics[0].Ip} web");
            var ns = namespaces.Single(n => n.EndsWith("-" + web.Host[^1..], StringComparison.Ordinal));
            (await Ip("-n", ns, "-o", "link", "show", "master", "br-lab")).Should().Contain("up0", "the agent joined its uplink to the network's bridge");
            (await Ip("-o", "link", "show")).Should().NotContain("br-lab", "the VM's network lives in the host's namespace, not the machine's");
            var migrated = "";
            if (vms["db"].Host == web.Host)
            {
                var before = vms["db"];
                var other = web.Host[..^1] + (web.Host[^1] == '1' ? "2" : "1"); // agent-1 <-> agent-2
                var migrate = await http.PostAsJsonAsync(ApiRoutes.VmMigrate("db"), new MigrateRequest(other));
                migrate.IsSuccessStatusCode.Should().BeTrue(await migrate.Content.ReadAsStringAsync());
                vms["db"] = await LocalCluster.WaitForAsync(async () =>
                {
                    var v = await http.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("db"), LocalCluster.Json);
                    return v!.State == "Running" && v.Host == other ? v : null;
                }, TimeSpan.FromSeconds(90), $"db running on {other}");
                vms["db"].Nics.Should().BeEquivalentTo(before.Nics, "a migration keeps the NIC's MAC and address");
                migrated = $" (db was migrated to {other} to be on the other host)";
            }
            var db = vms["db"];
            db.Host.Should().NotBe(web.Host);

            // Pings need an ICMP rule on the receiving VM (a VM admits no new connection by default).
            foreach (var name in new[] { "web", "db" })
                (await http.PostAsJsonAsync(ApiRoutes.VmSecurityRules(name), new SecurityRuleRequest("icmp"))).StatusCode.Should().Be(HttpStatusCode.Created);

            var webIp = web.Nics![0].Ip;
            var dbIp = db.Nics![0].Ip;
            await using (var shell = await GuestShell.ConnectAsync(Path.Combine(dir, "a" + web.Host[^1..]), web.Id, TestContext.Current.CancellationToken))
            {
                // db's name is on db's host; web's host learns it from the names the server publishes to every host on lab.
                var resolved = await LocalCluster.WaitForAsync(async () =>
                {
                    var (exit, output) = await shell.RunAsync("nslookup db.lab.octopus 10.77.0.1", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                    return exit == 0 && output.Contains(dbIp!, StringComparison.Ordinal) ? output : null;
                }, TimeSpan.FromSeconds(60), "db.lab.octopus to resolve on web");
                resolved.Should().Contain(dbIp);
                var reverse = await shell.RunAsync($"nslookup {dbIp} 10.77.0.1", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                reverse.Output.Should().Contain("db.lab.octopus", "the reverse name resolves too");
                var ping = await LocalCluster.WaitForAsync(async () =>
                {
                    var (exit, output) = await shell.RunAsync($"ping -c 3 -W 2 {dbIp}", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                    return exit == 0 ? output : null;
                }, TimeSpan.FromSeconds(60), $"web to ping db ({dbIp}) across the hosts");
                var rtt = PingRtt().Match(ping);
                rtt.Success.Should().BeTrue(ping);
                TestContext.Current.SendDiagnosticMessage($"ping web -> db: {rtt.Value}");
            }
            await using (var shell = await GuestShell.ConnectAsync(Path.Combine(dir, "a" + db.Host![^1..]), db.Id, TestContext.Current.CancellationToken))
            {
                var resolved = await LocalCluster.WaitForAsync(async () =>
                {
                    var (exit, output) = await shell.RunAsync("nslookup web.lab.octopus 10.77.0.1", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                    return exit == 0 && output.Contains(webIp!, StringComparison.Ordinal) ? output : null;
                }, TimeSpan.FromSeconds(60), "web.lab.octopus to resolve on db");
                // Retried as web -> db is: under TCG on a loaded machine one round of three pings can all go unanswered
                // while db resolves web's address (a CI run lost all three once, and the class passed alone right after).
                var pingOut = await LocalCluster.WaitForAsync(async () =>
                {
                    var (exit, output) = await shell.RunAsync($"ping -c 3 -W 2 {webIp}", TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                    return exit == 0 ? output : null;
                }, TimeSpan.FromSeconds(60), $"db to ping web ({webIp}) across the hosts");
                PingRtt().IsMatch(pingOut).Should().BeTrue(pingOut);
                TestContext.Current.SendDiagnosticMessage($"ping db -> web: {PingRtt().Match(pingOut).Value}");
            }

            // A security-group rule opens db's TCP port 8080 to web's busybox nc and removing it closes the port again;
            // web sending from an address that is not its own gets nothing through (anti-spoofing on its tap).
            var ct = TestContext.Current.CancellationToken;
            await using (var shell = await GuestShell.ConnectAsync(Path.Combine(dir, "a" + db.Host[^1..]), db.Id, ct))
                (await shell.RunAsync("nc -ll -p 8080 -e echo open >/dev/null 2>&1 &", TimeSpan.FromSeconds(10), ct)).Exit.Should().Be(0);

            await using (var shell = await GuestShell.ConnectAsync(Path.Combine(dir, "a" + web.Host[^1..]), web.Id, ct))
            {
                var probe = $"nc -w 3 {dbIp} 8080 </dev/null";
                (await shell.RunAsync(probe, TimeSpan.FromSeconds(15), ct)).Output.Should().NotContain("open", "db admits no TCP yet");
                var opened = await http.PostAsJsonAsync(ApiRoutes.VmSecurityRules("db"), new SecurityRuleRequest("tcp", "8080", webIp));
                opened.StatusCode.Should().Be(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
                await LocalCluster.WaitForAsync(async () =>
                    (await shell.RunAsync(probe, TimeSpan.FromSeconds(15), ct)).Output.Contains("open", StringComparison.Ordinal) ? "open" : null,
                    TimeSpan.FromSeconds(60), "db's port 8080 to open for web");
                (await http.DeleteAsync(opened.Headers.Location)).StatusCode.Should().Be(HttpStatusCode.OK);
                await LocalCluster.WaitForAsync(async () =>
                    (await shell.RunAsync(probe, TimeSpan.FromSeconds(15), ct)).Output.Contains("open", StringComparison.Ordinal) ? null : "closed",
                    TimeSpan.FromSeconds(60), "db's port 8080 to close again");

                const string forged = "10.77.0.249"; // in lab's range, given to no one
                (await shell.RunAsync($"ping -c 2 -W 2 {dbIp} >/dev/null", TimeSpan.FromSeconds(15), ct)).Exit.Should().Be(0, "web's own address gets through");
                var spoofed = await shell.RunAsync(
                    $"ip addr add {forged}/32 dev eth0; ping -c 2 -W 2 -I {forged} {dbIp}; r=$?; ip addr del {forged}/32 dev eth0; [ $r = 0 ]",
                    TimeSpan.FromSeconds(20), ct);
                spoofed.Exit.Should().NotBe(0, $"a ping from the forged source {forged} must not get through: {spoofed.Output}");

                // Live migration keeps db's MAC and address; web pings it every 0.2 s meanwhile and counts what was lost.
                (await shell.RunAsync($"ping -i 0.2 {dbIp} >/tmp/mig 2>&1 & echo $! >/tmp/mig.pid", TimeSpan.FromSeconds(10), ct)).Exit.Should().Be(0);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                var moving = Stopwatch.StartNew();
                var back = await http.PostAsJsonAsync(ApiRoutes.VmMigrate("db"), new MigrateRequest(web.Host));
                back.IsSuccessStatusCode.Should().BeTrue(await back.Content.ReadAsStringAsync());
                var moved = await LocalCluster.WaitForAsync(async () =>
                {
                    var v = await http.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("db"), LocalCluster.Json);
                    return v!.State == "Running" && v.Host == web.Host ? v : null;
                }, TimeSpan.FromSeconds(90), $"db running on {web.Host}");
                var migration = moving.Elapsed;
                moved.Nics.Should().BeEquivalentTo(db.Nics, "a migration keeps the NIC's MAC and address");
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                var stats = (await shell.RunAsync("kill -INT $(cat /tmp/mig.pid); sleep 1; cat /tmp/mig", TimeSpan.FromSeconds(10), ct)).Output;
                var counted = PingCounts().Match(stats);
                counted.Success.Should().BeTrue(stats);
                var (sent, received) = (int.Parse(counted.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(counted.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                received.Should().BeGreaterThan(0, stats);
                (await shell.RunAsync($"ping -c 2 -W 2 {dbIp} >/dev/null", TimeSpan.FromSeconds(15), ct)).Exit.Should().Be(0, "db answers on its host after the migration");
                var lost = $"migration of db {db.Host} -> {web.Host} ({migration.TotalSeconds:0.0} s until Running there): {sent - received} of {sent} pings lost (one every 0.2 s)";
                TestContext.Current.SendDiagnosticMessage(lost);
            }
            TestContext.Current.SendDiagnosticMessage(
                $"netns cluster: web on {web.Host}, db on {db.Host}{migrated}; DHCP lease on the console {leases["web"].TotalSeconds:0.0} s (web) and {leases["db"].TotalSeconds:0.0} s (db) after create");

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

    private static Task<VmDto> RunningAsync(HttpClient http, string name) => LocalCluster.WaitForAsync(async () =>
    {
        var v = await http.GetFromJsonAsync<VmDto>(ApiRoutes.Vm(name), LocalCluster.Json);
        return v!.State == "Running" && v.Host is not null ? v : null;
    }, TimeSpan.FromSeconds(90), $"{name} running");

    [GeneratedRegex(@"round-trip min/avg/max = [0-9.]+/([0-9.]+)/[0-9.]+ ms")]
    private static partial Regex PingRtt();

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) packets received")]
    private static partial Regex PingCounts();

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
