using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Services;

/// <summary>Kills the "server" before step k of each operation, for every k, then restarts (new services over the same
/// catalog and files), runs recovery and checks that no disk that existed before is lost, files and rows agree
/// exactly, the tree is sound, every pre-existing root reads the same content, and the operation can then be redone.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private static readonly ImageName Debian = ImageName.Parse("debian-12");
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The world every scenario starts from: vm A on debian with snapshot s1 and a checkpoint (chain depth 3),
    /// vm B deleted long enough ago to be collected.</summary>
    private sealed class World
    {
        public required ManualTime Time { get; init; }
        public required InMemoryDiskCatalog Catalog { get; init; }
        public required IDiskBackend Backend { get; init; }
        public required VmId A { get; init; }
        public required string SourceFile { get; init; }
        public DiskServices Services(IDiskCatalog? catalog = null, IDiskBackend? backend = null, int maxDepth = 3) =>
            DiskServices.Create(catalog ?? Catalog, backend ?? Backend, Time, new DiskTreeOptions { MaxChainDepth = maxDepth, GracePeriod = Grace });
    }

    private async Task<World> BuildAsync(string backendKind, int run)
    {
        var time = new ManualTime();
        IDiskBackend backend = backendKind == "qemu"
            ? new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = _temp.File($"store-{run}") })
            : new SimulatedDiskBackend(time);
        var w = new World { Time = time, Catalog = new InMemoryDiskCatalog(), Backend = backend, A = VmId.New(), SourceFile = RawImageFile(_temp.File("src"), 2) };
        var s = w.Services();
        await s.Tree.ImportImageAsync(Debian, Alice, w.SourceFile);
        var leaf = await s.Tree.CreateVmDiskAsync(w.A, Alice, Debian);
        (backend as SimulatedDiskBackend)?.Write(leaf.Id, 1, 0x11);
        await s.Tree.SnapshotAsync(w.A, Snap("s1"));
        await s.Checkpoints.CheckpointAsync(w.A, "nightly");
        var b = VmId.New();
        await s.Tree.CreateVmDiskAsync(b, Bob, Debian);
        await s.Tree.DeleteVmDiskAsync(b);
        time.Advance(Grace + TimeSpan.FromMinutes(1));
        return w;
    }

    private static readonly Dictionary<string, Func<World, DiskServices, Task>> Scenarios = new()
    {
        ["import image"] = (w, s) => s.Tree.ImportImageAsync(ImageName.Parse("ubuntu"), Alice, w.SourceFile),
        ["create vm disk"] = (w, s) => s.Tree.CreateVmDiskAsync(VmId.New(), Bob, Debian),
        ["fork"] = (w, s) => s.Tree.ForkAsync(w.A, VmId.New(), Bob),
        ["snapshot (new child rebased: depth limit)"] = (w, s) => s.Tree.SnapshotAsync(w.A, Snap("s2")),
        ["checkpoint"] = (w, s) => s.Checkpoints.CheckpointAsync(w.A, "hourly"),
        ["revert"] = (w, s) => s.Tree.RevertAsync(w.A, Snap("s1")),
        ["delete snapshot"] = (w, s) => s.Tree.DeleteSnapshotAsync(w.A, Snap("s1")),
        ["delete vm disk"] = (w, s) => s.Tree.DeleteVmDiskAsync(w.A),
        ["checkpoint retention"] = (w, s) => s.Checkpoints.ApplyRetentionAsync(w.A, new CheckpointRetention(KeepLast: 0)),
        ["gc sweep"] = (w, s) => s.Collector.CollectAsync(),
        ["flatten (limit lowered to 2)"] = (w, s) => s.Flattener.FlattenAsync(),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in new[] { "sim", "qemu" })
            foreach (var name in Scenarios.Keys) data.Add(backend, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CrashBeforeAnyStep_ThenRecovery_LosesNothingAndStaysConsistent(string backendKind, string scenario)
    {
        // A clean run counts the steps.
        var probe = await BuildAsync(backendKind, 0);
        var counter = new CrashSwitch();
        await RunAsync(scenario, probe, counter);
        var steps = counter.Steps;
        steps.Should().BeGreaterThan(0, "every operation writes something");

        for (var k = 0; k <= steps; k++)
        {
            var w = await BuildAsync(backendKind, k + 1);
            var before = await w.Catalog.LoadAsync();
            var contentBefore = Contents(w, before.Tree());
            var crash = new CrashSwitch { CrashAt = k };

            var crashed = false;
            try { await RunAsync(scenario, w, crash); }
            catch (SimulatedCrashException) { crashed = true; }
            crashed.Should().Be(k < steps, $"step {k} of {steps}");

            // Restart: new services over the same catalog and files.
            var restarted = w.Services();
            await restarted.Recovery.RecoverAsync();
            await AssertConsistentAsync(w, before, contentBefore, $"{scenario}, crash before step {k}: {string.Join(", ", crash.Log)}");
            (await restarted.Recovery.VerifyAsync()).Should().BeEmpty();

            // The system is usable: the same request now succeeds (or was already done).
            if (crashed)
            {
                await RunAsync(scenario, w, new CrashSwitch());
                await AssertConsistentAsync(w, before, contentBefore, $"{scenario} redone after crash at {k}");
            }
        }
    }

    private static async Task RunAsync(string scenario, World w, CrashSwitch crash)
    {
        var maxDepth = scenario.StartsWith("flatten", StringComparison.Ordinal) ? 2 : 3;
        var s = w.Services(new FaultInjectingDiskCatalog(w.Catalog, crash), new FaultInjectingDiskBackend(w.Backend, crash), maxDepth);
        await Scenarios[scenario](w, s);
    }

    private static async Task AssertConsistentAsync(World w, CatalogSnapshot before, Dictionary<DiskId, IReadOnlyDictionary<long, byte>> contentBefore, string because)
    {
        var after = await w.Catalog.LoadAsync();
        var tree = after.Tree();
        after.Intents.Should().BeEmpty(because);
        tree.Violations().Should().BeEmpty(because);

        // No disk that was reachable before is lost (only the collector removes rows, and only unreachable ones).
        var reachableBefore = before.Tree().Reachable();
        tree.All.Select(d => d.Id).Should().Contain(reachableBefore, because);

        // Rows and files agree exactly: no file leaked by a half-done create, none missing.
        var files = (await w.Backend.ListAsync()).Select(f => f.Id).ToHashSet();
        files.Should().BeEquivalentTo(tree.All.Select(d => d.Id), because);
        foreach (var d in tree.All) (await w.Backend.InspectAsync(d.Id))!.Parent.Should().Be(d.Parent, because);

        // Every root from before that is still a root reads what it read before; only a revert may change the VM's disk.
        foreach (var (id, content) in contentBefore)
        {
            var old = before.Tree().Get(id);
            var now = old.Role == DiskRole.Active ? tree.ActiveOf(old.Vm!.Value) : tree.Find(id);
            if (now is null || !now.Role.IsRoot()) continue;
            var expected = old.Role == DiskRole.Active && now.Parent == before.Tree().SnapshotOf(old.Vm!.Value, Snap("s1"))?.Id
                ? contentBefore[before.Tree().SnapshotOf(old.Vm!.Value, Snap("s1"))!.Id]
                : content;
            Content(w, now.Id).Should().BeEquivalentTo(expected, because);
        }
    }

    private static Dictionary<DiskId, IReadOnlyDictionary<long, byte>> Contents(World w, DiskTree tree) =>
        w.Backend is SimulatedDiskBackend ? tree.Roots.ToDictionary(r => r.Id, r => Content(w, r.Id)) : [];

    private static IReadOnlyDictionary<long, byte> Content(World w, DiskId id) =>
        w.Backend is SimulatedDiskBackend sim ? sim.Content(id) : new Dictionary<long, byte>();
}
