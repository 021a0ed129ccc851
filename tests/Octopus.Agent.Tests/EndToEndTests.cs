using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent.Tests;

/// <summary>A local cluster of real agents driving real QEMU (TCG) with the tiny test guest, through the server's API.</summary>
public sealed partial class EndToEndTests
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Vm_BootsMigratesLiveBetweenAgentsAndDeletes_LeavesNothingBehind()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        await using var cluster = await LocalCluster.StartAsync(agents: 2);
        using var admin = await cluster.AdminAsync();
        await WaitForHostsAsync(admin, 2);

        var image = await ImportGuestAsync(cluster, admin);
        var storageBefore = StorageFiles(cluster);

        var created = await admin.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("e2e", 1, 128L << 20, image.SizeBytes, image.Name));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var vm = await WaitForVmAsync(admin, "e2e", v => v.State == "Running" && v.Host is not null, "e2e running");
        var consoles = new ApiConsole(admin);
        var id = new VmId(Guid.Parse(vm.Id));
        var console = await LocalCluster.WaitForAsync(async () =>
        {
            var text = await consoles.ReadConsoleAsync(id, 64 * 1024, CancellationToken.None);
            return text.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal) && Heartbeats(text).Count > 0 ? text : null;
        }, Boot, "the guest's ready marker and a first heartbeat");
        var beforeMigration = Heartbeats(console).Max();

        var destination = vm.Host == "a1" ? "a2" : "a1";
        var migrate = await admin.PostAsJsonAsync(ApiRoutes.VmMigrate("e2e"), new MigrateRequest(destination));
        migrate.IsSuccessStatusCode.Should().BeTrue(await migrate.Content.ReadAsStringAsync());
        await WaitForVmAsync(admin, "e2e", v => v.State == "Running" && v.Host == destination, $"e2e running on {destination}");

        // Capabilities the disk tree and the policies use, through the agent protocol.
        (await admin.PostAsync(ApiRoutes.Vm("e2e") + "/suspend", null)).IsSuccessStatusCode.Should().BeTrue();
        (await AgentStateOfAsync(cluster, id)).Should().Be("paused");
        (await admin.PostAsync(ApiRoutes.Vm("e2e") + "/resume", null)).IsSuccessStatusCode.Should().BeTrue();
        (await AgentStateOfAsync(cluster, id)).Should().Be("running");

        // The destination's console continues the counter: the guest kept running (a reboot would start again at 1).
        var after = await LocalCluster.WaitForAsync(async () =>
        {
            var beats = Heartbeats(await consoles.ReadConsoleAsync(id, 64 * 1024, CancellationToken.None));
            return beats.Count >= 2 && beats[^1] > beats[0] ? beats : null;
        }, Boot, "the heartbeat to keep counting on the destination");
        after[0].Should().BeGreaterThanOrEqualTo(beforeMigration, "the guest was not restarted by the migration");
        after.Should().BeInAscendingOrder();

        var audit = await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"{ApiRoutes.Audit}?target=vm/{vm.Id}", LocalCluster.Json);
        audit!.Items.Should().Contain(a => a.Action == "vm.migrate.measured" && a.Details!.Contains("downtime", StringComparison.Ordinal));

        // Snapshot while running, through the server's snapshot command: the guest continues live on the catalog's new leaf.
        var snapshot = await admin.PostAsJsonAsync(ApiRoutes.Vm("e2e") + "/snapshots", new SnapshotRequest("running1"));
        snapshot.IsSuccessStatusCode.Should().BeTrue(await snapshot.Content.ReadAsStringAsync());
        await RunsOnActiveLeafAsync(cluster, admin, "e2e", id);

        // Fork it through the server's fork command: a new VM on a child of the current state, booted on an agent.
        var fork = await admin.PostAsJsonAsync(ApiRoutes.Vm("e2e") + "/fork", new VmForkRequest("e2e-fork"));
        fork.IsSuccessStatusCode.Should().BeTrue(await fork.Content.ReadAsStringAsync());
        var forkVm = await WaitForVmAsync(admin, "e2e-fork", v => v.State == "Running" && v.Host is not null, "e2e-fork running");
        var forkId = new VmId(Guid.Parse(forkVm.Id));
        await LocalCluster.WaitForAsync(async () =>
        {
            var text = await consoles.ReadConsoleAsync(forkId, 64 * 1024, CancellationToken.None);
            return text.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal) && Heartbeats(text).Count > 0 ? text : null;
        }, Boot, "the fork's ready marker and a first heartbeat");
        await RunsOnActiveLeafAsync(cluster, admin, "e2e-fork", forkId);
        await RunsOnActiveLeafAsync(cluster, admin, "e2e", id);

        // Stop both.
        foreach (var name in new[] { "e2e", "e2e-fork" })
            (await admin.PostAsync(ApiRoutes.VmAction(name, "stop"), null)).IsSuccessStatusCode.Should().BeTrue();
        await WaitForVmAsync(admin, "e2e", v => v.State == "Stopped", "e2e stopped");
        await WaitForVmAsync(admin, "e2e-fork", v => v.State == "Stopped", "e2e-fork stopped");
        cluster.QemuProcesses().Should().BeEmpty("a stopped VM has no QEMU");

        // A stopped VM is snapshotted on the files (qemu-img), behind its agent's back: starting it must boot the catalog's
        // new leaf, never the now frozen file the agent last ran it on (writing there would corrupt the snapshot).
        var frozen = new FileInfo(AgentSpecDisk(cluster, id));
        var (frozenSize, frozenWritten) = (frozen.Length, frozen.LastWriteTimeUtc);
        var offline = await admin.PostAsJsonAsync(ApiRoutes.Vm("e2e") + "/snapshots", new SnapshotRequest("stopped1"));
        offline.IsSuccessStatusCode.Should().BeTrue(await offline.Content.ReadAsStringAsync());
        (await ActiveLeafAsync(cluster, admin, "e2e")).Should().NotBe(frozen.FullName, "the snapshot froze the VM's disk");
        (await admin.PostAsync(ApiRoutes.VmAction("e2e", "start"), null)).IsSuccessStatusCode.Should().BeTrue();
        await WaitForVmAsync(admin, "e2e", v => v.State == "Running", "e2e running again");
        var leafAfterRestart = await RunsOnActiveLeafAsync(cluster, admin, "e2e", id);
        leafAfterRestart.Should().NotBe(frozen.FullName);
        var qemu = cluster.QemuProcesses().Should().ContainSingle().Subject;
        var cmdline = File.ReadAllText($"/proc/{qemu}/cmdline").Split('\0');
        cmdline.Should().Contain(a => a.Contains(leafAfterRestart, StringComparison.Ordinal), "QEMU was launched on the catalog's leaf");
        cmdline.Should().NotContain(a => a.Contains(frozen.FullName, StringComparison.Ordinal), "QEMU never opens the snapshot as its disk");
        await LocalCluster.WaitForAsync(async () =>
        {
            // The console log is appended to: the restarted guest counts from 1 again after its new ready marker.
            var text = await consoles.ReadConsoleAsync(id, 256 * 1024, CancellationToken.None);
            var restarted = text.LastIndexOf("OCTOPUS-GUEST-READY", StringComparison.Ordinal);
            return restarted >= 0 && Heartbeats(text[restarted..]).Count > 0 ? text : null;
        }, Boot, "the restarted guest's ready marker and a heartbeat");
        frozen.Refresh();
        (frozen.Length, frozen.LastWriteTimeUtc).Should().Be((frozenSize, frozenWritten), "the frozen snapshot file is never written");
        (await admin.PostAsync(ApiRoutes.VmAction("e2e", "stop"), null)).IsSuccessStatusCode.Should().BeTrue();
        await WaitForVmAsync(admin, "e2e", v => v.State == "Stopped", "e2e stopped again");
        cluster.QemuProcesses().Should().BeEmpty("a stopped VM has no QEMU");

        // Delete both; gc (zero grace period in the cluster's config) then leaves only the base image.
        foreach (var name in new[] { "e2e", "e2e-fork" })
        {
            (await admin.DeleteAsync(ApiRoutes.Vm(name))).IsSuccessStatusCode.Should().BeTrue();
            await LocalCluster.WaitForAsync(async () =>
                (await admin.GetAsync(ApiRoutes.Vm(name))).StatusCode == HttpStatusCode.NotFound ? "" : null, TimeSpan.FromSeconds(30), $"{name} deleted");
        }
        // Named like a tree disk but unknown to the catalog (a crash between a disk's creation and its catalog entry):
        // gc must collect it as an orphan file too.
        File.Copy(cluster.Guest.Disk, Path.Combine(cluster.Storage, $"{Guid.CreateVersion7():N}.qcow2"));
        var gc = await admin.PostAsync(ApiRoutes.Base + "/disks/gc", null);
        gc.IsSuccessStatusCode.Should().BeTrue(await gc.Content.ReadAsStringAsync());

        StorageFiles(cluster).Should().BeEquivalentTo(storageBefore, "gc removed the VM's disk and nothing else");
        cluster.QemuProcesses().Should().BeEmpty();
        foreach (var agent in cluster.Agents)
            agent.Services.GetRequiredService<QemuNodeDriver>().Vms.Should().BeEmpty("the VM's folder is gone from every agent");
    }

    [Fact]
    public async Task SilentAgent_MarksHostFailedAndReportsItsVms_RestartReadoptsTheRunningQemu()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        await using var cluster = await LocalCluster.StartAsync(agents: 1);
        using var admin = await cluster.AdminAsync();
        await WaitForHostsAsync(admin, 1);
        var image = await ImportGuestAsync(cluster, admin);
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("lonely", 1, 128L << 20, image.SizeBytes, image.Name))).EnsureSuccessStatusCode();
        var vm = await WaitForVmAsync(admin, "lonely", v => v.State == "Running", "lonely running");
        var pids = cluster.QemuProcesses();
        pids.Should().ContainSingle();

        await cluster.StopAgentAsync(cluster.Agents[0]);
        await LocalCluster.WaitForAsync(async () =>
        {
            var hosts = await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, LocalCluster.Json);
            return hosts!.Single().PowerState == "Failed" ? hosts : null;
        }, TimeSpan.FromSeconds(30), "a1 marked Failed");
        var failedVm = await WaitForVmAsync(admin, "lonely", v => v.State == "Failed", "lonely reported failed");
        failedVm.StatusReason.Should().Contain("stopped heartbeating");
        var audit = await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"{ApiRoutes.Audit}?target=host/a1", LocalCluster.Json);
        audit!.Items.Should().Contain(a => a.Action == "host.failed" && a.Details!.Contains("lonely", StringComparison.Ordinal));
        cluster.QemuProcesses().Should().Equal(pids, "the agent going away does not kill its VMs");

        var restarted = await cluster.StartAgentAsync("a1");
        restarted.Services.GetRequiredService<QemuNodeDriver>().Vms.Should().Contain(new VmId(Guid.Parse(vm.Id)), "the restarted agent re-adopted the running QEMU");
        await LocalCluster.WaitForAsync(async () =>
        {
            var hosts = await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, LocalCluster.Json);
            return hosts!.Single().PowerState == "On" ? hosts : null;
        }, TimeSpan.FromSeconds(30), "a1 back On");
        cluster.QemuProcesses().Should().Equal(pids);
    }

    /// <summary>The full path of the VM's active leaf according to the server's disk catalog.</summary>
    private static async Task<string> ActiveLeafAsync(LocalCluster cluster, HttpClient admin, string name)
    {
        var disk = await admin.GetFromJsonAsync<VmDiskDto>(ApiRoutes.Vm(name) + "/disk", LocalCluster.Json);
        return Path.Combine(cluster.Storage, Guid.Parse(disk!.ActiveDisk).ToString("N") + ".qcow2");
    }

    /// <summary>The disk in the VM's spec on the agent that holds it.</summary>
    private static string AgentSpecDisk(LocalCluster cluster, VmId vm) =>
        cluster.Agents.Select(a => a.Services.GetRequiredService<QemuNodeDriver>()).Single(d => d.Vms.Contains(vm)).GetSpec(vm).Disk;

    /// <summary>Checks that the VM's agent spec names the catalog's active leaf (a live snapshot switches it inside the
    /// running QEMU, so the spec is what the agent boots next time); returns it.</summary>
    private static async Task<string> RunsOnActiveLeafAsync(LocalCluster cluster, HttpClient admin, string name, VmId vm)
    {
        var leaf = await ActiveLeafAsync(cluster, admin, name);
        File.Exists(leaf).Should().BeTrue($"{name}'s active leaf exists in the shared storage");
        AgentSpecDisk(cluster, vm).Should().Be(leaf, $"{name}'s agent runs it on the catalog's active leaf");
        return leaf;
    }

    /// <summary>The VM's state in a status fetched from its agent right now.</summary>
    private static async Task<string> AgentStateOfAsync(LocalCluster cluster, VmId vm)
    {
        var registry = cluster.Server.Services.GetRequiredService<Octopus.Application.Agents.AgentRegistry>();
        var client = cluster.Server.Services.GetRequiredService<Octopus.Drivers.Agent.AgentClient>();
        foreach (var agent in registry.All)
        {
            var status = await client.SendAsync<Octopus.Contracts.Agents.AgentStatus>(agent, HttpMethod.Get, Octopus.Contracts.Agents.AgentRoutes.Status, null, CancellationToken.None);
            if (status.Vms.FirstOrDefault(v => v.Vm == vm.Value) is { } v) return v.State;
        }
        return "unknown";
    }

    internal static async Task WaitForHostsAsync(HttpClient admin, int count) =>
        await LocalCluster.WaitForAsync(async () =>
        {
            var hosts = await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, LocalCluster.Json);
            return hosts!.Count(h => h.PowerState == "On") == count ? hosts : null;
        }, TimeSpan.FromSeconds(30), $"{count} agents registered");

    private static async Task<ImageDto> ImportGuestAsync(LocalCluster cluster, HttpClient admin)
    {
        var file = Path.Combine(cluster.ImportFolder, "test-guest.qcow2");
        File.Copy(cluster.Guest.Disk, file);
        var r = await admin.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("test-guest", file));
        r.StatusCode.Should().Be(HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<ImageDto>(LocalCluster.Json))!;
    }

    private static async Task<VmDto> WaitForVmAsync(HttpClient admin, string name, Func<VmDto, bool> ok, string what, TimeSpan? timeout = null)
    {
        VmDto? last = null;
        try
        {
            return await LocalCluster.WaitForAsync(async () =>
            {
                last = await admin.GetFromJsonAsync<VmDto>(ApiRoutes.Vm(name), LocalCluster.Json);
                return ok(last!) ? last : null;
            }, timeout ?? Boot, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last seen: {last}", e);
        }
    }

    private static HashSet<string> StorageFiles(LocalCluster cluster) =>
        [.. Directory.EnumerateFiles(cluster.Storage, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f))];

    private static List<int> Heartbeats(string console) =>
        [.. HeartbeatLine().Matches(console).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"OCTOPUS-HEARTBEAT (\d+)")]
    private static partial Regex HeartbeatLine();

    /// <summary>Reads a VM's serial console the way a user does: through the server's console endpoint.</summary>
    private sealed class ApiConsole(HttpClient http)
    {
        public async Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) =>
            (await http.GetFromJsonAsync<VmConsoleDto>(ApiRoutes.VmConsole(vm.ToString(), maxBytes), LocalCluster.Json, ct))!.Text;
    }
}
