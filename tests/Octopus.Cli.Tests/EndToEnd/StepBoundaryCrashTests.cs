using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Application.Control;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Issue 11's crash test: the real server process (simulated cluster, SQLite store, qcow2 disks through
/// qemu-img) is killed at every step boundary of create, fork, snapshot, revert (running and stopped), migrate, delete and
/// host power-off, after the driver call of start, stop, reboot, suspend and resume (<see cref="LifecycleBoundaries"/>), and
/// at every boundary of a policy's checkpoint, a security-group change and a host power-on (<see cref="DerivedBoundaries"/>)
/// — the server kills itself with SIGKILL when its operation runner passes the boundary named by <c>OCTOPUS_CRASH_AT</c>
/// (<c>CrashAtStepBoundary</c>), so no shutdown code runs — then restarted on the same data folder. After one
/// control-loop interval (50 ms here; the test allows 30 s for a loaded machine and prints what it took) every VM the
/// server acknowledged is there, no operation is left pending or running, no VM or host is in a transitional state,
/// each operation's effect happened once (one fork, one VM per simulated node), the simulated nodes agree with the store
/// on where each VM runs, and every disk a VM reached before the crash is still in the tree. Every snapshot is an
/// operation (SnapshotVm): here the simulated node's files are snapshotted by the runner (a crash after it recorded the
/// disk it freezes, and after the disk tree committed, leaves exactly one snapshot); Octopus.Agent.Tests'
/// LiveSnapshotCrashTests kills the server at each boundary of a live snapshot with a real QEMU guest, and
/// <see cref="DiskCrashTests"/> and the disk library's kill-restart tests cover a crash inside the disk tree.</summary>
public sealed class StepBoundaryCrashTests : IAsyncDisposable
{
    private const string Password = "crash-admin-Passw0rd";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "octopus-steps-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private ServeProcess? _server;

    private string Data => Path.Combine(_dir, "data");

    private static readonly string[] Transitional = ["Pending", "Creating", "Starting", "Stopping", "Migrating", "Deleting", "Suspending", "Resuming"];

    public static TheoryData<string, string> Boundaries() => new()
    {
        { "CreateVm", "claimed" }, { "CreateVm", "executed" }, { "CreateVm", "completed" },
        { "ForkDisk", "claimed" }, { "ForkDisk", "executed" }, { "ForkDisk", "completed" },
        { "SnapshotVm", "step" }, { "SnapshotVm", "executed" },
        { "RevertDisk", "step" }, { "RevertDisk", "executed" },
        { "RevertVm", "claimed" }, { "RevertVm", "step:1" }, { "RevertVm", "step:2" }, { "RevertVm", "executed" }, { "RevertVm", "completed" },
        { "MigrateVm", "claimed" }, { "MigrateVm", "executed" }, { "MigrateVm", "completed" },
        { "DeleteVm", "claimed" }, { "DeleteVm", "executed" }, { "DeleteVm", "completed" },
        { "PowerOffHost", "claimed" }, { "PowerOffHost", "step:1" }, { "PowerOffHost", "executed" }, { "PowerOffHost", "completed" },
    };

    /// <summary>A running VM's power actions, each killed after its driver call and before its outcome is recorded (the
    /// boundary where a replay calls the driver a second time): the replay must find the node already there.</summary>
    public static TheoryData<string, string> LifecycleBoundaries() => new()
    {
        { "StopVm", "executed" }, { "StartVm", "executed" }, { "RebootVm", "executed" }, { "SuspendVm", "executed" }, { "ResumeVm", "executed" },
    };

    /// <summary>The operations journaled by something other than a user's request to the VM: a policy's checkpoint (a
    /// policy reacting to the VM stopping), a security-group change on a running VM, and a host power-on; each at every
    /// boundary it passes on the simulated cluster.</summary>
    public static TheoryData<string, string> DerivedBoundaries() => new()
    {
        { "CheckpointVm", "claimed" }, { "CheckpointVm", "executed" }, { "CheckpointVm", "completed" },
        { "ApplyFirewall", "claimed" }, { "ApplyFirewall", "executed" }, { "ApplyFirewall", "completed" },
        { "PowerOnHost", "claimed" }, { "PowerOnHost", "executed" }, { "PowerOnHost", "completed" },
    };

    [Theory]
    [MemberData(nameof(LifecycleBoundaries))]
    public Task KillAfterLifecycleDriverCall_Restart_ActionCarriedOutOnce(string operation, string boundary) =>
        KillAtStepBoundary_Restart_EverythingAcknowledgedIsThereAndSettled(operation, boundary);

    [Theory]
    [MemberData(nameof(DerivedBoundaries))]
    public Task KillDuringPolicyFirewallOrPowerOn_Restart_CarriedOutOnce(string operation, string boundary) =>
        KillAtStepBoundary_Restart_EverythingAcknowledgedIsThereAndSettled(operation, boundary);

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task KillAtStepBoundary_Restart_EverythingAcknowledgedIsThereAndSettled(string operation, string boundary)
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}");
        Assert.SkipWhen(!ServeProcess.QemuImgInstalled, "qemu-img is not installed (scripts/install-deps installs it)");
        var kind = operation;
        await StartServerAsync($"{kind}:{boundary}");
        var acknowledged = new HashSet<string>();
        HashSet<string> reachable;
        string? emptyHost = null;
        var disksBefore = 0;
        using (var client = await _server!.LoginAsync())
        {
            // Set-up (operations of other kinds, which the knob ignores).
            if (kind != "CreateVm")
            {
                await client.Vms.CreateAsync(new VmCreateRequest("a", 1, 1L << 30, 4L << 30, "debian-12"));
                acknowledged.Add("a");
                await client.Vms.WaitForStateAsync("a", v => v.State == "Running", TimeSpan.FromSeconds(60));
            }
            if (kind is "RevertVm" or "RevertDisk") await client.Disks.SnapshotAsync("a", "before");
            if (kind is "RevertDisk" or "StartVm")
            {
                await client.Vms.StopAsync("a");
                await client.Vms.WaitForStateAsync("a", v => v.State == "Stopped", TimeSpan.FromSeconds(60));
            }
            if (kind == "ResumeVm")
            {
                await client.Policies.SuspendVmAsync("a");
                await client.Vms.WaitForStateAsync("a", v => v.State == "Suspended", TimeSpan.FromSeconds(60));
            }
            if (kind != "CreateVm") disksBefore = (await client.Disks.TreeAsync("a")).Disks.Count;
            if (kind is "PowerOffHost" or "PowerOnHost")
                emptyHost = (await HostsAsync(client)).First(h => h.PowerState == "On" && h.VmCount == 0).Name;
            if (kind == "PowerOnHost")
            {
                await client.Hosts.PowerOffAsync(emptyHost!);
                await WaitForHostAsync(client, emptyHost!, "Off");
            }
            if (kind == "CheckpointVm")
            {
                await client.Policies.CreateAsync("""
                    {"name": "checkpoint-when-stopped", "owner": "admin", "trigger": {"event": "vmStateChanged"},
                     "condition": "vm.state == \"Stopped\"", "actions": [{"checkpoint": {"keepLast": 3}}]}
                    """);
                // A state change is an event only against a state the policy loop has seen (its pass compares with the
                // last one): let a pass (every second here) see the VM Running before it stops.
                await Task.Delay(TimeSpan.FromSeconds(1.5));
            }
            reachable = [.. (await client.Disks.TreeAsync()).Disks.Where(d => d.KeptAliveBy.Count > 0).Select(d => d.Id)];

            // The operation under test: the server dies at the boundary, perhaps under the request.
            try
            {
                switch (kind)
                {
                    case "CreateVm":
                        await client.Vms.CreateAsync(new VmCreateRequest("c", 1, 1L << 30, 4L << 30, "debian-12"));
                        acknowledged.Add("c");
                        break;
                    case "ForkDisk":
                        await client.Disks.ForkAsync("a", new VmForkRequest("f"));
                        acknowledged.Add("f");
                        break;
                    case "SnapshotVm":
                        await client.Disks.SnapshotAsync("a", "s1");
                        break;
                    case "RevertVm":
                        await client.Disks.RevertAsync("a", "before", restart: true);
                        break;
                    case "RevertDisk":
                        await client.Disks.RevertAsync("a", "before");
                        break;
                    case "MigrateVm":
                        var vm = await client.Vms.GetAsync("a");
                        var target = (await HostsAsync(client)).First(h => h.PowerState == "On" && h.Name != vm.Host).Name;
                        await client.Vms.MigrateAsync("a", target);
                        break;
                    case "DeleteVm":
                        // Once the delete is sent, the VM may go: the answer can be lost in the crash after it was journaled.
                        acknowledged.Remove("a");
                        reachable.Clear(); // a deleted VM's disks may be collected
                        await client.Vms.DeleteAsync("a");
                        break;
                    case "PowerOffHost":
                        await client.Hosts.PowerOffAsync(emptyHost!);
                        break;
                    case "StopVm":
                        await client.Vms.StopAsync("a");
                        break;
                    case "StartVm":
                        await client.Vms.StartAsync("a");
                        break;
                    case "RebootVm":
                        await client.Vms.RebootAsync("a");
                        break;
                    case "SuspendVm":
                        await client.Policies.SuspendVmAsync("a");
                        break;
                    case "ResumeVm":
                        await client.Policies.ResumeVmAsync("a");
                        break;
                    case "CheckpointVm":
                        // The policy reacts to the stop by journaling a checkpoint.
                        await client.Vms.StopAsync("a");
                        break;
                    case "ApplyFirewall":
                        await client.Vms.AddRuleAsync("a", new SecurityRuleRequest("tcp", "22", "10.0.0.0/8"));
                        break;
                    case "PowerOnHost":
                        await client.Hosts.PowerOnAsync(emptyHost!);
                        break;
                }
            }
            catch (Exception e) when (e is OctopusConnectionException or HttpRequestException or TaskCanceledException)
            {
                // The server died while answering: the request may or may not have been acknowledged.
            }
        }
        await WaitForCrashAsync(kind, boundary);

        await StartServerAsync(crashAt: null);
        string? firewallVm = null;
        using (var client = await _server!.LoginAsync())
        {
            var settled = Stopwatch.StartNew();
            var (vms, operations, hosts) = await SettledAsync(client, TimeSpan.FromSeconds(30));
            var took = settled.Elapsed;
            var names = vms.Select(v => v.Name).ToHashSet();
            acknowledged.Except(names).Should().BeEmpty($"every acknowledged VM survives a crash at {kind}:{boundary}\n{ServerLog()}");
            vms.Where(v => Transitional.Contains(v.State)).Select(v => $"{v.Name} {v.State}").Should().BeEmpty($"settled after {took}");
            operations.Where(o => o.Status is "Pending" or "Running").Select(o => $"{o.Kind} {o.Status}").Should().BeEmpty();
            hosts.Where(h => h.PowerState is "PoweringOn" or "PoweringOff").Select(h => h.Name).Should().BeEmpty();
            vms.Where(v => v.State == "Failed").Select(v => $"{v.Name}: {v.StatusReason}").Should().BeEmpty("a crash is not the VM's failure");

            switch (operation)
            {
                case "CreateVm":
                    if (names.Contains("c")) vms.Single(v => v.Name == "c").State.Should().Be("Running");
                    break;
                case "ForkDisk":
                    if (names.Contains("f"))
                    {
                        // The fork runs on a child of the source's disk, never a fresh image disk.
                        var tree = await client.Disks.TreeAsync("f");
                        tree.Disks.Should().Contain(d => d.Parent != null, "the fork's disk descends from the source's");
                    }
                    break;
                case "SnapshotVm":
                    // The runner reached the boundary, so the snapshot was journaled: it is there exactly once.
                    (await client.Disks.SnapshotsAsync("a")).Snapshots.Where(n => n.Name == "s1").Should().ContainSingle();
                    vms.Single(v => v.Name == "a").State.Should().Be("Running");
                    break;
                case "RevertVm":
                    vms.Single(v => v.Name == "a").State.Should().Be("Running");
                    break;
                case "RevertDisk":
                    // The runner recorded the leaf it abandons, so the revert was journaled: done exactly once (one new
                    // leaf under 'before'; a second revert would have made two), and the VM stays stopped.
                    vms.Single(v => v.Name == "a").State.Should().Be("Stopped");
                    (await client.Disks.SnapshotsAsync("a")).CurrentAfter.Should().Be("before");
                    (await client.Disks.TreeAsync("a")).Disks.Count.Should().Be(disksBefore + 1, "one revert adds one leaf");
                    break;
                case "MigrateVm":
                    vms.Single(v => v.Name == "a").State.Should().Be("Running");
                    break;
                case "DeleteVm":
                    names.Should().NotContain("a", "a delete that was journaled is carried out");
                    break;
                case "PowerOffHost":
                    hosts.Single(h => h.Name == emptyHost).PowerState.Should().BeOneOf("On", "Off");
                    break;
                // The runner passed the driver call, so the action was journaled: it is carried out.
                case "StopVm":
                    vms.Single(v => v.Name == "a").State.Should().Be("Stopped");
                    break;
                case "StartVm" or "RebootVm" or "ResumeVm":
                    vms.Single(v => v.Name == "a").State.Should().Be("Running");
                    break;
                case "SuspendVm":
                    vms.Single(v => v.Name == "a").State.Should().Be("Suspended");
                    break;
                case "CheckpointVm":
                    // The runner claimed the checkpoint, so it was journaled: taken exactly once, by the one policy run.
                    vms.Single(v => v.Name == "a").State.Should().Be("Stopped");
                    (await client.Disks.SnapshotsAsync("a")).Snapshots.Where(n => n.IsCheckpoint).Should().ContainSingle();
                    (await client.Disks.TreeAsync("a")).Disks.Count.Should().Be(disksBefore + 1, "one checkpoint adds one frozen disk");
                    break;
                case "ApplyFirewall":
                    vms.Single(v => v.Name == "a").State.Should().Be("Running");
                    (await client.Vms.ListRulesAsync("a")).Rules.Should().ContainSingle(r => r.Port == "22");
                    firewallVm = vms.Single(v => v.Name == "a").Id;
                    break;
                case "PowerOnHost":
                    hosts.Single(h => h.Name == emptyHost).PowerState.Should().Be("On", "a power-on that was journaled is carried out");
                    break;
            }

            var after = (await client.Disks.TreeAsync()).Disks.Select(d => d.Id).ToHashSet();
            reachable.Except(after).Should().BeEmpty($"disks reachable before the crash at {kind}:{boundary} survive it");
            await AssertNodesAgreeAsync(vms, hosts, firewallVm);
            Console.WriteLine($"{kind}:{boundary}: settled {took.TotalMilliseconds:0} ms after the restart; {vms.Count} VM(s), {operations.Count} operation(s)");
        }
    }

    /// <summary>The simulated nodes' own record (their state file and its journal, written as a real host keeps its own) agrees with the
    /// store: every VM the store has runs on the store's host, and no node holds a VM the store does not know.</summary>
    /// <param name="firewallVm">A VM whose node must enforce exactly the one ingress rule the firewall row added.</param>
    private async Task AssertNodesAgreeAsync(IReadOnlyList<VmDto> vms, IReadOnlyList<HostDto> hosts, string? firewallVm = null)
    {
        KillServer(); // idle now; read the file (with its journal) as the next start would
        var file = Path.Combine(Data, "simulated-cluster", "state.json");
        new Octopus.Drivers.Simulated.SimulatedCluster(new Octopus.Drivers.Simulated.SimulatedClusterOptions { StateFile = file }, TimeProvider.System).Compact();
        using var state = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var nodeVms = state.RootElement.GetProperty("Vms").EnumerateArray()
            .Select(v => (Id: v.GetProperty("Id").GetGuid().ToString(), Host: v.GetProperty("Host").GetGuid().ToString(), Running: v.GetProperty("Running").GetBoolean()))
            .ToList();
        nodeVms.Select(v => v.Id).Should().OnlyHaveUniqueItems();
        nodeVms.Select(v => v.Id).Except(vms.Select(v => Guid.Parse(v.Id).ToString())).Should().BeEmpty("no node runs a VM the store does not know");
        var hostIds = hosts.ToDictionary(h => h.Name, h => Guid.Parse(h.Id).ToString());
        foreach (var vm in vms.Where(v => v.State == "Running"))
        {
            var onNode = nodeVms.Where(n => n.Id == Guid.Parse(vm.Id).ToString()).ToList();
            onNode.Should().ContainSingle($"{vm.Name} runs on exactly one node");
            onNode[0].Host.Should().Be(hostIds[vm.Host!], $"{vm.Name} runs where the store says");
            onNode[0].Running.Should().BeTrue();
        }
        if (firewallVm is not null)
        {
            var node = state.RootElement.GetProperty("Vms").EnumerateArray().Single(v => v.GetProperty("Id").GetGuid() == Guid.Parse(firewallVm));
            node.GetProperty("Ingress").EnumerateArray().Select(r => r.GetString()).Should()
                .Equal(["tcp 22 10.0.0.0/8"], "the node enforces the rule the store has, once");
        }
    }

    private static async Task WaitForHostAsync(OctopusClient client, string host, string powerState)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await HostsAsync(client)).Single(h => h.Name == host).PowerState != powerState)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"{host} should have gone {powerState}");
            await Task.Delay(50);
        }
    }

    private static async Task<(IReadOnlyList<VmDto> Vms, IReadOnlyList<OperationDto> Operations, IReadOnlyList<HostDto> Hosts)> SettledAsync(
        OctopusClient client, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var vms = (await client.Vms.ListPageAsync(limit: 500)).Items;
            var operations = (await client.Operations.ListPageAsync(limit: 500)).Items;
            var hosts = await HostsAsync(client);
            var settled = !vms.Any(v => Transitional.Contains(v.State)) && !operations.Any(o => o.Status is "Pending" or "Running")
                && !hosts.Any(h => h.PowerState is "PoweringOn" or "PoweringOff");
            if (settled || DateTime.UtcNow > deadline) return (vms, operations, hosts);
            await Task.Delay(50);
        }
    }

    private static async Task<List<HostDto>> HostsAsync(OctopusClient client)
    {
        var hosts = new List<HostDto>();
        await foreach (var h in client.Hosts.ListAsync()) hosts.Add(h);
        return hosts;
    }

    private async Task WaitForCrashAsync(string kind, string boundary)
    {
        var expected = $"{kind}:{(boundary.Contains(':', StringComparison.Ordinal) ? boundary : boundary + ":1")}";
        (await _server!.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().BeTrue($"the server should have killed itself at {expected}\n{ServerLog()}");
        ServerLog().Should().Contain("octopus: crash point reached: " + expected, "the server died at the boundary asked for, not elsewhere");
        KillServer();
    }

    private async Task StartServerAsync(string? crashAt)
    {
        _server = await ServeProcess.StartAsync(Data, Password, _log, new Dictionary<string, string?>
        {
            ["OCTOPUS_CONFIG"] = Path.Combine(_dir, "cli.json"),
            ["Octopus__Simulation__OperationDelay"] = "00:00:00.020",
            ["Octopus__Simulation__PowerTransitionDelay"] = "00:00:00.050",
            ["Octopus__Scheduler__Interval"] = "00:00:00.050",
            ["Octopus__Policies__Interval"] = "00:00:01",
            ["Octopus__Storage__Backend"] = "qemu-img",
            // A small cluster and one image: the test starts the server twice per boundary.
            ["Octopus__Cluster__Hosts__0__Count"] = "3",
            ["Octopus__Images__0__Name"] = "debian-12",
            ["Octopus__Images__0__Size"] = "1GiB",
            [CrashAtStepBoundary.Variable] = crashAt,
        });
    }

    private void KillServer()
    {
        _server?.Dispose();
        _server = null;
    }

    private string ServerLog() => ServeProcess.Text(_log);

    public ValueTask DisposeAsync()
    {
        KillServer();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
