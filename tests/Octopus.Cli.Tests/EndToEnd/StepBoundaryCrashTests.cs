using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Application.Control;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Issue 11's crash test: the real server process (simulated cluster, SQLite store, qcow2 disks through
/// qemu-img) is killed at every step boundary (claimed, each recorded step, executed, completed) of create, fork,
/// snapshot, revert (running and stopped), migrate, delete and host power-off, of a running VM's stop, start, reboot,
/// suspend and resume, and of a policy's checkpoint, a security-group change and a host power-on (<see cref="Chains"/>)
/// — the server kills itself with SIGKILL when its operation runner passes the boundary named by <c>OCTOPUS_CRASH_AT</c>
/// (<c>CrashAtStepBoundary</c>), so no shutdown code runs — then restarted on the same data folder. After one
/// control-loop interval (50 ms here; the test allows 30 s for a loaded machine and prints what it took) every VM the
/// server acknowledged is there, no operation is left pending or running, no VM or host is in a transitional state,
/// each operation's effect happened once (one fork, one snapshot, one new leaf per revert), and every disk a VM reached
/// before the crash is still in the tree; at the end of each chain the simulated nodes agree with the store on where each
/// VM runs (one VM per node: nothing created, moved or forked twice, nothing left behind). Every snapshot is an
/// operation (SnapshotVm): here the simulated node's files are snapshotted by the runner; Octopus.Agent.Tests'
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

    /// <summary>The operations of issue 11's list (create, fork, snapshot, revert of a stopped and of a running VM, migrate,
    /// delete, host power-off), a running VM's power actions (stop, start, reboot, suspend, resume) and the operations
    /// journaled by something other than a user's request to the VM (a policy's checkpoint, a security-group change, a
    /// host power-on), each at every boundary it passes on the simulated cluster: <c>claimed</c>, each recorded
    /// <c>step</c>, <c>executed</c> and <c>completed</c>.</summary>
    private static readonly string[] Kinds =
    [
        "CreateVm", "ForkDisk", "SnapshotVm", "RevertDisk", "RevertVm", "MigrateVm", "DeleteVm", "PowerOffHost",
        "StopVm", "StartVm", "RebootVm", "SuspendVm", "ResumeVm", "CheckpointVm", "ApplyFirewall", "PowerOnHost",
    ];

    /// <summary>Each row is a chain of crash points run on one data folder: the server started with the first point's
    /// knob dies there; the restart carries the next point's knob, settles the crashed operation, is checked, sets up the
    /// next point's operation and dies at that point; the last restart has no knob. So each crash costs one server start,
    /// not two. A chain never has two points of one kind in a row (the restart resumes the crashed operation, which would
    /// pass the next point of its own kind), and CreateVm comes first (every other point's set-up creates its VM). The
    /// boundaries of each kind: every kind passes claimed, executed and completed; a snapshot and an offline revert record
    /// one step (the disk it freezes or abandons), a revert of a running VM two (stopped, reverted), a host power-off one
    /// (the drain check).</summary>
    public static TheoryData<string> Chains() => new()
    {
        string.Join(' ', Kinds.Select(k => k + ":claimed")),
        string.Join(' ', Kinds.Select(k => k + ":executed")),
        string.Join(' ', Kinds.Select(k => k + ":completed")),
        "SnapshotVm:step RevertVm:step:1 RevertDisk:step PowerOffHost:step:1 RevertVm:step:2",
    };

    /// <summary>What one crash point's set-up and request left for the check after the restart.</summary>
    private sealed class Point(string kind, string boundary, int index)
    {
        public string Kind { get; } = kind;
        public string Boundary { get; } = boundary;
        /// <summary>The point's own VM (set up for every kind but CreateVm), its created and forked VMs.</summary>
        public string A { get; } = "a" + index;
        public string C { get; } = "c" + index;
        public string F { get; } = "f" + index;
        public HashSet<string> Reachable { get; set; } = [];
        public string? EmptyHost { get; set; }
        public int DisksBefore { get; set; }
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public async Task KillAtEachStepBoundary_Restart_EverythingAcknowledgedIsThereAndSettled(string chain)
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}");
        Assert.SkipWhen(!ServeProcess.QemuImgInstalled, "qemu-img is not installed (scripts/install-deps installs it)");
        var crashes = chain.Split(' ');
        var acknowledged = new HashSet<string>();
        string? firewallVm = null;
        IReadOnlyList<VmDto> vms = [];
        IReadOnlyList<HostDto> hosts = [];
        await StartServerAsync(crashes[0]);
        for (var i = 0; i < crashes.Length; i++)
        {
            var colon = crashes[i].IndexOf(':', StringComparison.Ordinal);
            var point = new Point(crashes[i][..colon], crashes[i][(colon + 1)..], i);
            await CrashAsync(point, acknowledged);
            await StartServerAsync(i + 1 < crashes.Length ? crashes[i + 1] : null);
            (vms, hosts, var firewall) = await CheckAsync(point, acknowledged);
            firewallVm ??= firewall;
        }
        await AssertNodesAgreeAsync(vms, hosts, firewallVm);
    }

    /// <summary>Sets up <paramref name="point"/>'s operation on the running server (operations of other kinds, which its
    /// knob ignores) and sends it; the server dies at the point, perhaps under the request.</summary>
    private async Task CrashAsync(Point point, HashSet<string> acknowledged)
    {
        var (kind, a) = (point.Kind, point.A);
        using (var client = await _server!.LoginAsync())
        {
            if (kind != "CreateVm")
            {
                await client.Vms.CreateAsync(new VmCreateRequest(a, 1, 1L << 30, 4L << 30, "debian-12"));
                acknowledged.Add(a);
                await client.Vms.WaitForStateAsync(a, v => v.State == "Running", TimeSpan.FromSeconds(60));
            }
            if (kind is "RevertVm" or "RevertDisk") await client.Disks.SnapshotAsync(a, "before");
            if (kind is "RevertDisk" or "StartVm")
            {
                await client.Vms.StopAsync(a);
                await client.Vms.WaitForStateAsync(a, v => v.State == "Stopped", TimeSpan.FromSeconds(60));
            }
            if (kind == "ResumeVm")
            {
                await client.Policies.SuspendVmAsync(a);
                await client.Vms.WaitForStateAsync(a, v => v.State == "Suspended", TimeSpan.FromSeconds(60));
            }
            if (kind != "CreateVm") point.DisksBefore = (await client.Disks.TreeAsync(a)).Disks.Count;
            if (kind is "PowerOffHost" or "PowerOnHost")
                point.EmptyHost = (await HostsAsync(client)).First(h => h.PowerState == "On" && h.VmCount == 0).Name;
            if (kind == "PowerOnHost")
            {
                await client.Hosts.PowerOffAsync(point.EmptyHost!);
                await WaitForHostAsync(client, point.EmptyHost!, "Off");
            }
            if (kind == "CheckpointVm")
            {
                // Only this point's VM: the chain's later points stop VMs of their own.
                await client.Policies.CreateAsync($$$"""
                    {"name": "checkpoint-when-stopped-{{{a}}}", "owner": "admin", "trigger": {"event": "vmStateChanged"},
                     "condition": "vm.state == \"Stopped\" && vm.name == \"{{{a}}}\"", "actions": [{"checkpoint": {"keepLast": 3}}]}
                    """);
                // A state change is an event only against a state the policy loop has seen (its pass compares with the
                // last one): let a pass (every second here) see the VM Running before it stops.
                await Task.Delay(TimeSpan.FromSeconds(1.5));
            }
            point.Reachable = [.. (await client.Disks.TreeAsync()).Disks.Where(d => d.KeptAliveBy.Count > 0).Select(d => d.Id)];

            try
            {
                switch (kind)
                {
                    case "CreateVm":
                        await client.Vms.CreateAsync(new VmCreateRequest(point.C, 1, 1L << 30, 4L << 30, "debian-12"));
                        acknowledged.Add(point.C);
                        break;
                    case "ForkDisk":
                        await client.Disks.ForkAsync(a, new VmForkRequest(point.F));
                        acknowledged.Add(point.F);
                        break;
                    case "SnapshotVm":
                        await client.Disks.SnapshotAsync(a, "s1");
                        break;
                    case "RevertVm":
                        await client.Disks.RevertAsync(a, "before", restart: true);
                        break;
                    case "RevertDisk":
                        await client.Disks.RevertAsync(a, "before");
                        break;
                    case "MigrateVm":
                        var vm = await client.Vms.GetAsync(a);
                        var target = (await HostsAsync(client)).First(h => h.PowerState == "On" && h.Name != vm.Host).Name;
                        await client.Vms.MigrateAsync(a, target);
                        break;
                    case "DeleteVm":
                        // Once the delete is sent, the VM may go: the answer can be lost in the crash after it was journaled.
                        acknowledged.Remove(a);
                        point.Reachable.Clear(); // a deleted VM's disks may be collected
                        await client.Vms.DeleteAsync(a);
                        break;
                    case "PowerOffHost":
                        await client.Hosts.PowerOffAsync(point.EmptyHost!);
                        break;
                    case "StopVm":
                        await client.Vms.StopAsync(a);
                        break;
                    case "StartVm":
                        await client.Vms.StartAsync(a);
                        break;
                    case "RebootVm":
                        await client.Vms.RebootAsync(a);
                        break;
                    case "SuspendVm":
                        await client.Policies.SuspendVmAsync(a);
                        break;
                    case "ResumeVm":
                        await client.Policies.ResumeVmAsync(a);
                        break;
                    case "CheckpointVm":
                        // The policy reacts to the stop by journaling a checkpoint.
                        await client.Vms.StopAsync(a);
                        break;
                    case "ApplyFirewall":
                        await client.Vms.AddRuleAsync(a, new SecurityRuleRequest("tcp", "22", "10.0.0.0/8"));
                        break;
                    case "PowerOnHost":
                        await client.Hosts.PowerOnAsync(point.EmptyHost!);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(point), kind, "no crash scenario for this kind");
                }
            }
            catch (Exception e) when (e is OctopusConnectionException or HttpRequestException or TaskCanceledException)
            {
                // The server died while answering: the request may or may not have been acknowledged.
            }
        }
        await WaitForCrashAsync(point.Kind, point.Boundary);
    }

    /// <summary>After the restart: within one control-loop interval (the test allows 30 s for a loaded machine and prints
    /// what it took) everything acknowledged is there, nothing is pending, running or transitional, the operation's effect
    /// happened once and every disk reachable before the crash is still in the tree. Returns the cluster as it stands and
    /// the id of the VM whose node must enforce the firewall rule (ApplyFirewall), for the nodes' check at the chain's end.</summary>
    private async Task<(IReadOnlyList<VmDto> Vms, IReadOnlyList<HostDto> Hosts, string? FirewallVm)> CheckAsync(Point point, HashSet<string> acknowledged)
    {
        var (kind, boundary, a) = (point.Kind, point.Boundary, point.A);
        string? firewallVm = null;
        using var client = await _server!.LoginAsync();
        var settled = Stopwatch.StartNew();
        var (vms, operations, hosts) = await SettledAsync(client, TimeSpan.FromSeconds(30));
        var took = settled.Elapsed;
        var names = vms.Select(v => v.Name).ToHashSet();
        acknowledged.Except(names).Should().BeEmpty($"every acknowledged VM survives a crash at {kind}:{boundary}\n{ServerLog()}");
        vms.Where(v => Transitional.Contains(v.State)).Select(v => $"{v.Name} {v.State}").Should().BeEmpty($"settled after {took} ({kind}:{boundary})");
        operations.Where(o => o.Status is "Pending" or "Running").Select(o => $"{o.Kind} {o.Status}").Should().BeEmpty($"{kind}:{boundary}");
        hosts.Where(h => h.PowerState is "PoweringOn" or "PoweringOff").Select(h => h.Name).Should().BeEmpty($"{kind}:{boundary}");
        vms.Where(v => v.State == "Failed").Select(v => $"{v.Name}: {v.StatusReason}").Should().BeEmpty($"a crash is not the VM's failure ({kind}:{boundary})");

        switch (kind)
        {
            case "CreateVm":
                if (names.Contains(point.C)) vms.Single(v => v.Name == point.C).State.Should().Be("Running");
                break;
            case "ForkDisk":
                if (names.Contains(point.F))
                {
                    // The fork runs on a child of the source's disk, never a fresh image disk.
                    var tree = await client.Disks.TreeAsync(point.F);
                    tree.Disks.Should().Contain(d => d.Parent != null, "the fork's disk descends from the source's");
                }
                break;
            case "SnapshotVm":
                // The runner reached the boundary, so the snapshot was journaled: it is there exactly once.
                (await client.Disks.SnapshotsAsync(a)).Snapshots.Where(n => n.Name == "s1").Should().ContainSingle($"{kind}:{boundary}");
                vms.Single(v => v.Name == a).State.Should().Be("Running");
                break;
            case "RevertVm":
                vms.Single(v => v.Name == a).State.Should().Be("Running");
                break;
            case "RevertDisk":
                // The runner claimed the revert, so it was journaled: done exactly once (one new leaf under 'before'; a
                // second revert would have made two), and the VM stays stopped.
                vms.Single(v => v.Name == a).State.Should().Be("Stopped");
                (await client.Disks.SnapshotsAsync(a)).CurrentAfter.Should().Be("before");
                (await client.Disks.TreeAsync(a)).Disks.Count.Should().Be(point.DisksBefore + 1, $"one revert adds one leaf ({kind}:{boundary})");
                break;
            case "MigrateVm":
                vms.Single(v => v.Name == a).State.Should().Be("Running");
                break;
            case "DeleteVm":
                names.Should().NotContain(a, "a delete that was journaled is carried out");
                break;
            case "PowerOffHost":
                hosts.Single(h => h.Name == point.EmptyHost).PowerState.Should().BeOneOf("On", "Off");
                break;
            // The runner claimed the action, so it was journaled: it is carried out.
            case "StopVm":
                vms.Single(v => v.Name == a).State.Should().Be("Stopped", $"{kind}:{boundary}");
                break;
            case "StartVm" or "RebootVm" or "ResumeVm":
                vms.Single(v => v.Name == a).State.Should().Be("Running", $"{kind}:{boundary}");
                break;
            case "SuspendVm":
                vms.Single(v => v.Name == a).State.Should().Be("Suspended", $"{kind}:{boundary}");
                break;
            case "CheckpointVm":
                // The runner claimed the checkpoint, so it was journaled: taken exactly once, by the one policy run.
                vms.Single(v => v.Name == a).State.Should().Be("Stopped");
                (await client.Disks.SnapshotsAsync(a)).Snapshots.Where(n => n.IsCheckpoint).Should().ContainSingle($"{kind}:{boundary}");
                (await client.Disks.TreeAsync(a)).Disks.Count.Should().Be(point.DisksBefore + 1, "one checkpoint adds one frozen disk");
                break;
            case "ApplyFirewall":
                vms.Single(v => v.Name == a).State.Should().Be("Running");
                (await client.Vms.ListRulesAsync(a)).Rules.Should().ContainSingle(r => r.Port == "22");
                firewallVm = vms.Single(v => v.Name == a).Id;
                break;
            case "PowerOnHost":
                hosts.Single(h => h.Name == point.EmptyHost).PowerState.Should().Be("On", $"a power-on that was journaled is carried out ({boundary})");
                break;
        }

        var after = (await client.Disks.TreeAsync()).Disks.Select(d => d.Id).ToHashSet();
        point.Reachable.Except(after).Should().BeEmpty($"disks reachable before the crash at {kind}:{boundary} survive it");
        Console.WriteLine($"{kind}:{boundary}: settled {took.TotalMilliseconds:0} ms after the restart; {vms.Count} VM(s), {operations.Count} operation(s)");
        return (vms, hosts, firewallVm);
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
            // A small cluster and one image (the test starts the server once per boundary): packed VMs leave hosts empty
            // for the power-off and power-on points however many VMs the chain made before.
            ["Octopus__Cluster__Hosts__0__Count"] = "4",
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
