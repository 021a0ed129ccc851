using System.Diagnostics;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Simulated;

namespace Octopus.Drivers.Contract.Tests;

/// <summary>The simulated cluster's own record of its hardware (the state file and its journal): each change is appended
/// as one journal line as it is made (not a rewrite of every host and VM), a second cluster opened on the same folder
/// without the first being closed (as after a kill) sees every change, a last line cut short by a kill is ignored, and a
/// long journal is folded into the state file.</summary>
public sealed class SimulatedClusterStateFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "octopus-simstate-" + Guid.NewGuid().ToString("N"));
    private string StateFile => Path.Combine(_dir, "state.json");
    private string Journal => Path.Combine(_dir, "state.journal");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private SimulatedCluster Open() =>
        new(new SimulatedClusterOptions { OperationDelay = TimeSpan.Zero, PowerTransitionDelay = TimeSpan.Zero, StateFile = StateFile }, TimeProvider.System);

    private static VmRuntimeSpec Spec(string name) =>
        VmRuntimeSpec.Minimal(VmId.New(), name, Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), ImageName.Parse("test-guest")));

    private static async Task<Dictionary<VmId, (HostId Host, bool Running)>> VmsAsync(SimulatedCluster cluster, params HostId[] hosts)
    {
        var all = new Dictionary<VmId, (HostId, bool)>();
        foreach (var h in hosts)
            foreach (var v in (await cluster.Node(h).ObserveAsync(CancellationToken.None)).Vms) all[v.Vm] = (h, v.Running);
        return all;
    }

    [Fact]
    public async Task EveryChange_IsInTheFolderWhenItReturns_AClusterOpenedAfterAKillSeesThemAll()
    {
        var ct = CancellationToken.None;
        var first = Open();
        var (a, b) = (HostId.New(), HostId.New());
        first.DefineHost(a, 8, HostPowerState.On);
        first.DefineHost(b, 8, HostPowerState.On);
        var (kept, stopped, deleted, moved) = (Spec("kept"), Spec("stopped"), Spec("deleted"), Spec("moved"));
        foreach (var s in new[] { kept, stopped, deleted, moved }) await first.Node(a).CreateAsync(s, ct);
        await first.Node(a).StopAsync(stopped.Id, ct);
        await first.Node(a).DeleteAsync(deleted.Id, ct);
        var target = await first.Node(b).PrepareIncomingAsync(moved, ct);
        await first.Node(a).MigrateAsync(moved.Id, target, null, ct);
        first.FailHost(b);

        // The first cluster is dropped without a word, as a killed server would leave it.
        var second = Open();
        (await VmsAsync(second, a, b)).Should().BeEquivalentTo(new Dictionary<VmId, (HostId, bool)>
        {
            [kept.Id] = (a, true), [stopped.Id] = (a, false), [moved.Id] = (b, false), // b failed: its VMs are off
        });
        File.Exists(Journal).Should().BeTrue("the changes after the first were appended, not written whole");
    }

    [Fact]
    public async Task OneChange_At1000Hosts10000Vms_AppendsOneLine_AndLeavesTheStateFileAlone()
    {
        var ct = CancellationToken.None;
        var cluster = Open();
        var hosts = Enumerable.Range(0, 1000).Select(_ => HostId.New()).ToList();
        foreach (var h in hosts) cluster.DefineHost(h, 64, HostPowerState.On);
        for (var i = 0; i < 10_000; i++) await cluster.Node(hosts[i % hosts.Count]).CreateAsync(Spec($"vm{i}"), ct);
        cluster.Compact();
        var stateBefore = await File.ReadAllBytesAsync(StateFile, ct);
        File.Exists(Journal).Should().BeFalse("compacted");

        const int changes = 1000;
        var vms = (await VmsAsync(cluster, [.. hosts])).ToList();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < changes; i++) await cluster.Node(vms[i].Value.Host).SuspendAsync(vms[i].Key, ct); // a change that writes nothing else
        watch.Stop();
        var whole = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++) cluster.Compact(); // what every change cost before: the whole state written
        whole.Stop();

        File.Exists(Journal).Should().BeFalse();
        Console.WriteLine($"simulated cluster, 1,000 hosts / 10,000 VMs: {watch.Elapsed.TotalMicroseconds / changes:0} µs per change (journal line), " +
            $"{whole.Elapsed.TotalMicroseconds / 10:0} µs per whole-state write (state file {stateBefore.Length / 1024} KiB)");
        await cluster.Node(vms[0].Value.Host).ResumeAsync(vms[0].Key, ct);
        stateBefore = await File.ReadAllBytesAsync(StateFile, ct);
        await cluster.Node(vms[1].Value.Host).ResumeAsync(vms[1].Key, ct);
        // Before, each change rewrote the whole file (~11,000 records); now it appends one line of its own VM.
        (await File.ReadAllBytesAsync(StateFile, ct)).Should().Equal(stateBefore, "the state file is not rewritten per change");
        File.ReadAllLines(Journal).Should().HaveCount(2);
        new FileInfo(Journal).Length.Should().BeLessThan(2 * 1024L, "each line is one VM's record");
        var reopened = await VmsAsync(Open(), [.. hosts]);
        reopened.Should().HaveCount(10_000);
    }

    [Fact]
    public async Task ALastLineCutShortByAKill_IsIgnored_ALongJournalIsFoldedIntoTheStateFile()
    {
        var ct = CancellationToken.None;
        var cluster = Open();
        var host = HostId.New();
        cluster.DefineHost(host, 8, HostPowerState.On);
        var vm = Spec("vm");
        await cluster.Node(host).CreateAsync(vm, ct);
        await File.AppendAllTextAsync(Journal, "{\"Vm\":{\"Id\":\"", ct); // the kill came in the middle of an append

        var reopened = Open();
        (await VmsAsync(reopened, host)).Keys.Should().Equal([vm.Id]);

        // 4,096 lines at most (the state is small): the journal never grows past them, and nothing is lost on the way.
        for (var i = 0; i < 5000; i++) await reopened.Node(host).StopAsync(vm.Id, ct);
        File.ReadAllLines(Journal).Length.Should().BeLessThanOrEqualTo(4096);
        (await VmsAsync(Open(), host))[vm.Id].Should().Be((host, false));
    }
}
