using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>Issue 14 end to end on real parts: two nodes, each an <c>octopus agent</c> process driving real QEMU (TCG,
/// the tiny test guest) whose power is a real BMC — OpenIPMI's <c>ipmi_sim</c> on loopback, whose chassis power is the
/// agent process's life (power on starts it, power off stops it). The server (in this process) runs consolidation in
/// automatic mode: it live-migrates a VM off one node and switches that node off through IPMI; a new VM that fits
/// nowhere else powers it on through IPMI, which starts the node's agent again; the host is On once that agent heartbeats.</summary>
public sealed partial class EndToEndTests
{
    /// <summary>Two TCG guests booting and migrating on two shared cores: waits are for readiness, not timings.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task AutomaticConsolidation_DrainsAQemuHostByLiveMigration_PowersItOffAndOnThroughIpmi()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        if (IpmiSim.SkipReason is { } noBmc) Assert.Skip(noBmc);
        await using var cluster = await LocalCluster.StartAsync(agents: 0,
            scheduler: """, "Consolidation": "manual", "ConsolidationInterval": "00:00:01" """);
        var bmcs = new Dictionary<string, IpmiSim>();
        try
        {
            foreach (var name in new[] { "a1", "a2" })
                bmcs[name] = await IpmiSim.StartAsync(AgentCommandLine(cluster, name), startOn: true);
            using var admin = await cluster.AdminAsync();
            await WaitForHostsAsync(admin, 2);
            foreach (var (name, bmc) in bmcs)
            {
                var bound = await admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(name),
                    new HostPowerConfigRequest("ipmi", "127.0.0.1", bmc.Port, bmc.User, bmc.Password));
                bound.IsSuccessStatusCode.Should().BeTrue(await bound.Content.ReadAsStringAsync());
            }
            var image = await ImportGuestAsync(cluster, admin);

            // Two guests, one on each node (packing puts both on one; an admin's live migration splits them).
            foreach (var vm in new[] { "pm1", "pm2" })
            {
                var created = await admin.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(vm, 1, 128L << 20, image.SizeBytes, image.Name));
                created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            }
            var pm1 = await WaitForVmAsync(admin, "pm1", v => v.State == "Running" && v.Host is not null, "pm1 running", Slow);
            var pm2 = await WaitForVmAsync(admin, "pm2", v => v.State == "Running" && v.Host is not null, "pm2 running", Slow);
            if (pm2.Host == pm1.Host)
            {
                var other = pm1.Host == "a1" ? "a2" : "a1";
                (await admin.PostAsJsonAsync(ApiRoutes.VmMigrate("pm2"), new MigrateRequest(other))).IsSuccessStatusCode.Should().BeTrue();
                pm2 = await WaitForVmAsync(admin, "pm2", v => v.State == "Running" && v.Host == other, $"pm2 running on {other}", Slow);
            }
            var consoles = new ApiConsole(admin);
            var beatsBefore = new Dictionary<string, int>();
            foreach (var vm in new[] { pm1, pm2 })
            {
                var id = new VmId(Guid.Parse(vm.Id));
                var text = await LocalCluster.WaitForAsync(async () =>
                {
                    var t = await consoles.ReadConsoleAsync(id, 64 * 1024, CancellationToken.None);
                    return Heartbeats(t).Count > 0 ? t : null;
                }, Slow, $"{vm.Name}'s first heartbeat");
                beatsBefore[vm.Name] = Heartbeats(text).Max();
            }

            // Automatic consolidation: one node is drained by live migration and switched off through its BMC.
            var automatic = Stopwatch.StartNew();
            (await admin.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("automatic"))).IsSuccessStatusCode.Should().BeTrue();
            var off = await LocalCluster.WaitForAsync(async () =>
            {
                var hosts = await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, LocalCluster.Json);
                return hosts!.FirstOrDefault(h => h.PowerState == "Off");
            }, TimeSpan.FromSeconds(180), "consolidation to switch a node off");
            var drainedAndOff = automatic.Elapsed;
            var on = off.Name == "a1" ? "a2" : "a1";
            off.VmCount.Should().Be(0);
            off.PowerOperation!.Kind.Should().Be("power-off");
            off.PowerOperation.Status.Should().Be("Succeeded");
            off.PowerOperation.Actor.Should().Be("scheduler");
            off.PowerOperation.Steps.Should().Contain(s => s.Text.Contains("the BMC reports Off", StringComparison.Ordinal));
            (await bmcs[off.Name].IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is off");
            AgentListening(cluster, off.Name).Should().BeFalse("the BMC's power-off stopped the node's agent");
            foreach (var name in new[] { "pm1", "pm2" })
            {
                var vm = await WaitForVmAsync(admin, name, v => v.State == "Running" && v.Host == on, $"{name} running on {on}", Slow);
                // The moved guest kept running: its heartbeat counter continues (a reboot would start again at 1).
                var beats = await LocalCluster.WaitForAsync(async () =>
                {
                    var b = Heartbeats(await consoles.ReadConsoleAsync(new VmId(Guid.Parse(vm.Id)), 64 * 1024, CancellationToken.None));
                    return b.Count > 0 && b[^1] > beatsBefore[name] ? b : null;
                }, Slow, $"{name}'s heartbeat to keep counting on {on}");
                beats.Should().BeInAscendingOrder($"{name} was not restarted");
            }
            var ops = await admin.GetFromJsonAsync<Page<OperationDto>>($"{ApiRoutes.Operations}?kind=migrate-vm", LocalCluster.Json);
            ops!.Items.Should().Contain(o => o.Actor == "scheduler" && o.Status == "Succeeded" && o.TargetHost == on, "the drain was a live migration");

            // No flapping: the node stays off while nothing needs it.
            await Task.Delay(TimeSpan.FromSeconds(8));
            var still = await admin.GetFromJsonAsync<HostDto>(ApiRoutes.Host(off.Name), LocalCluster.Json);
            still!.PowerState.Should().Be("Off");
            still.PowerOperation!.Id.Should().Be(off.PowerOperation.Id, "no power action since the node went off");

            // A new VM that fits nowhere else (the node left on has both its cores handed out) powers the node on through
            // IPMI: its agent starts again, the host is On once that agent heartbeats, and the VM runs there.
            var powerOn = Stopwatch.StartNew();
            var pm3 = await admin.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("pm3", 1, 128L << 20, image.SizeBytes, image.Name));
            pm3.StatusCode.Should().Be(HttpStatusCode.Created, await pm3.Content.ReadAsStringAsync());
            await WaitForVmAsync(admin, "pm3", v => v.State == "Running" && v.Host == off.Name, $"pm3 running on {off.Name}", Slow);
            var onAfter = powerOn.Elapsed;
            var back = await admin.GetFromJsonAsync<HostDto>(ApiRoutes.Host(off.Name), LocalCluster.Json);
            back!.PowerState.Should().Be("On");
            back.PowerOperation!.Kind.Should().Be("power-on");
            back.PowerOperation.Status.Should().Be("Succeeded");
            back.PowerOperation.Actor.Should().Be("scheduler");
            back.PowerOperation.Steps.Should().Contain(s => s.Text.Contains("the agent heartbeats", StringComparison.Ordinal));
            (await bmcs[off.Name].IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is on");
            AgentListening(cluster, off.Name).Should().BeTrue("the BMC's power-on started the node's agent again");

            // An admin's power-off of an occupied node is refused by the drain check (manual mode: consolidation keeps out).
            (await admin.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("manual"))).IsSuccessStatusCode.Should().BeTrue();
            var refused = await admin.PostAsync(ApiRoutes.HostPowerOff(off.Name), null);
            refused.IsSuccessStatusCode.Should().BeFalse();
            (await refused.Content.ReadAsStringAsync()).Should().Contain("pm3");

            TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                $"automatic mode → drained by live migration and BMC Off: {drainedAndOff.TotalSeconds:0.0} s; VM that fits nowhere else created → node powered on over IPMI, agent heartbeats, VM Running there: {onAfter.TotalSeconds:0.0} s; power-off steps: {string.Join(" / ", off.PowerOperation.Steps.Select(s => s.Text))}; power-on steps: {string.Join(" / ", back.PowerOperation.Steps.Select(s => s.Text))}"));
            foreach (var name in new[] { "pm1", "pm2", "pm3" })
            {
                (await admin.DeleteAsync(ApiRoutes.Vm(name))).IsSuccessStatusCode.Should().BeTrue();
                await LocalCluster.WaitForAsync(async () =>
                    (await admin.GetAsync(ApiRoutes.Vm(name))).StatusCode == HttpStatusCode.NotFound ? "" : null, TimeSpan.FromSeconds(30), $"{name} deleted");
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\n{AgentLogs(cluster)}", e);
        }
        finally
        {
            // Powering the BMCs down stops the agents they started (by the ipmi_sim process tree, by PID).
            foreach (var bmc in bmcs.Values) await bmc.DisposeAsync();
        }
    }

    /// <summary>What the node's BMC runs at power-on: the real agent, as <c>octopus agent</c> (the CLI built next to these
    /// tests), on a fixed port so that it comes back where it was. ipmi_sim runs it with <c>/bin/sh -c "exec …"</c>.</summary>
    private static string AgentCommandLine(LocalCluster cluster, string name)
    {
        var port = TestProcesses.FreeLoopbackPort();
        File.WriteAllText(Path.Combine(cluster.Root, name + ".port"), port.ToString(CultureInfo.InvariantCulture));
        string Q(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var cli = Path.Combine(AppContext.BaseDirectory, "octopus.dll");
        return $"dotnet {Q(cli)} agent --listen 127.0.0.1:{port} --data {Q(Path.Combine(cluster.Root, name))} --storage {Q(cluster.Storage)}"
            + $" --server {Q(cluster.ServerUrl)} --token {Q(LocalCluster.JoinToken)} --name {name} --cores 2 --memory 2GiB"
            + $" --kernel {Q(cluster.Guest.Kernel)}" + (cluster.Guest.Initrd is { } initrd ? $" --initrd {Q(initrd)}" : "")
            + $" >> {Q(Path.Combine(cluster.Root, name + ".log"))} 2>&1";
    }

    private static string AgentLogs(LocalCluster cluster) => string.Join('\n', new[] { "a1", "a2" }
        .Select(n => Path.Combine(cluster.Root, n + ".log"))
        .Select(f => $"--- {Path.GetFileName(f)} ---\n{(File.Exists(f) ? string.Join('\n', File.ReadLines(f).TakeLast(40)) : "(none)")}"));

    private static bool AgentListening(LocalCluster cluster, string name)
    {
        var port = int.Parse(File.ReadAllText(Path.Combine(cluster.Root, name + ".port")), CultureInfo.InvariantCulture);
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            tcp.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
    }
}
