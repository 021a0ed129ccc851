using CsCheck;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Collection;

/// <summary>Random sequences of create / write / fork / snapshot / checkpoint / revert / delete / retention / image delete /
/// flatten / gc / time passing, checked after every step against a plain model of what each VM and snapshot must read.
/// Shows that gc never deletes a disk any root reaches, that the chains stay within the limit, and that at the end no
/// unreachable disk outlives the grace period.</summary>
public sealed class GcPropertyTests : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(6);
    private const int MaxDepth = 3;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private enum Op { CreateVm, Write, Fork, Snapshot, Revert, DeleteSnapshot, DeleteVm, Checkpoint, Retention, DeleteImage, Gc, Wait, Flatten }

    private static readonly Gen<(Op, int, int)[]> Sequences =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1000], Gen.Int[0, 1000]).Array[1, 40];

    [Fact]
    public async Task RandomOperations_Simulated_GcNeverLosesReachableDisks_AndCollectsEverythingElse() =>
        await Sequences.SampleAsync(ops => RunAsync(ops, "sim"), iter: 150, threads: 1);

    [Fact]
    public async Task RandomOperations_QemuImg_ShortRun() =>
        await Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1000], Gen.Int[0, 1000]).Array[1, 14]
            .SampleAsync(ops => RunAsync(ops, "qemu"), iter: 4, threads: 1);

    /// <summary>What the model expects: the content (block → byte, zeros omitted) each live VM and snapshot reads.</summary>
    private sealed class Model
    {
        public Dictionary<ImageName, Dictionary<long, byte>> Images { get; } = [];
        public Dictionary<VmId, (ImageName Image, Dictionary<long, byte> Content)> Vms { get; } = [];
        public Dictionary<(VmId Vm, SnapshotName Name), (ImageName Image, Dictionary<long, byte> Content)> Snapshots { get; } = [];
        public int Counter { get; set; }
    }

    private async Task RunAsync((Op Op, int A, int B)[] ops, string kind)
    {
        var time = new ManualTime();
        using var folder = new TempFolder();
        IDiskBackend backend = kind == "qemu"
            ? new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = folder.File("store") })
            : new SimulatedDiskBackend(time);
        var sim = backend as SimulatedDiskBackend;
        var catalog = new InMemoryDiskCatalog();
        var s = DiskServices.Create(catalog, backend, time, new DiskTreeOptions { MaxChainDepth = MaxDepth, GracePeriod = Grace });
        var shallow = DiskServices.Create(catalog, backend, time, new DiskTreeOptions { MaxChainDepth = 2, GracePeriod = Grace });
        var m = new Model();
        var source = RawImageFile(folder.File("src"), 1);
        foreach (var name in new[] { "debian-12", "alpine" })
        {
            await s.Tree.ImportImageAsync(ImageName.Parse(name), Alice, source);
            m.Images[ImageName.Parse(name)] = new() { [0] = 0x5a };
        }

        foreach (var (op, a, b) in ops)
        {
            var vms = m.Vms.Keys.OrderBy(v => v.Value).ToList();
            VmId? vm = vms.Count > 0 ? vms[a % vms.Count] : null;
            var tree = (await catalog.LoadAsync()).Tree();
            switch (op)
            {
                case Op.CreateVm when m.Images.Count > 0:
                {
                    var image = m.Images.Keys.OrderBy(i => i.Value).ElementAt(a % m.Images.Count);
                    var id = VmId.New();
                    await s.Tree.CreateVmDiskAsync(id, Bob, image);
                    m.Vms[id] = (image, new(m.Images[image]));
                    break;
                }
                case Op.Write when vm is { } v && sim is not null:
                {
                    var block = b % 6;
                    var value = (byte)(1 + (a + b) % 250);
                    sim.Write(tree.RequireActiveOf(v).Id, block, value);
                    m.Vms[v].Content[block] = value;
                    break;
                }
                case Op.Fork when vm is { } v:
                {
                    var id = VmId.New();
                    await s.Tree.ForkAsync(v, id, Bob);
                    m.Vms[id] = (m.Vms[v].Image, new(m.Vms[v].Content));
                    break;
                }
                case Op.Snapshot when vm is { } v:
                {
                    var name = Snap($"s{m.Counter++}");
                    await s.Tree.SnapshotAsync(v, name);
                    m.Snapshots[(v, name)] = (m.Vms[v].Image, new(m.Vms[v].Content));
                    break;
                }
                case Op.Checkpoint when vm is { } v:
                {
                    time.Advance(TimeSpan.FromSeconds(1 + b % 5));
                    var cp = await s.Checkpoints.CheckpointAsync(v, "policy");
                    m.Snapshots[(v, cp.Name!.Value)] = (m.Vms[v].Image, new(m.Vms[v].Content));
                    break;
                }
                case Op.Revert when vm is { } v && SnapshotsOf(m, v) is { Count: > 0 } snaps:
                {
                    var name = snaps[b % snaps.Count];
                    await s.Tree.RevertAsync(v, name);
                    m.Vms[v] = (m.Vms[v].Image, new(m.Snapshots[(v, name)].Content));
                    break;
                }
                case Op.DeleteSnapshot when vm is { } v && SnapshotsOf(m, v) is { Count: > 0 } snaps:
                {
                    var name = snaps[b % snaps.Count];
                    await s.Tree.DeleteSnapshotAsync(v, name);
                    m.Snapshots.Remove((v, name));
                    break;
                }
                case Op.DeleteVm when vm is { } v:
                    await s.Tree.DeleteVmDiskAsync(v);
                    m.Vms.Remove(v);
                    foreach (var key in m.Snapshots.Keys.Where(k => k.Vm == v).ToList()) m.Snapshots.Remove(key);
                    break;
                case Op.Retention when vm is { } v:
                {
                    var keep = b % 3;
                    var before = tree.SnapshotsOf(v).Where(d => d.Role == DiskRole.Checkpoint).OrderByDescending(d => d.Checkpoint!.TakenAt).ToList();
                    var released = await s.Checkpoints.ApplyRetentionAsync(v, new CheckpointRetention(KeepLast: keep));
                    released.Select(d => d.Id).Should().BeEquivalentTo(before.Skip(keep).Select(d => d.Id), "the oldest checkpoints go");
                    foreach (var d in before.Skip(keep)) m.Snapshots.Remove((v, d.Name!.Value));
                    break;
                }
                case Op.DeleteImage when m.Images.Count > 0:
                {
                    var image = m.Images.Keys.OrderBy(i => i.Value).ElementAt(a % m.Images.Count);
                    var inUse = m.Vms.Values.Any(x => x.Image == image) || m.Snapshots.Values.Any(x => x.Image == image);
                    var act = () => s.Tree.DeleteImageAsync(image);
                    if (inUse) (await act.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("image.in-use");
                    else
                    {
                        await act();
                        m.Images.Remove(image);
                    }
                    break;
                }
                case Op.Gc:
                {
                    var reachable = tree.Reachable();
                    var report = await s.Collector.CollectAsync(dryRun: b % 4 == 0);
                    report.Collected.Select(c => c.Id).Should().NotIntersectWith(reachable, "gc must never delete a disk a root reaches");
                    break;
                }
                case Op.Wait:
                    time.Advance(TimeSpan.FromHours(a % 10));
                    break;
                case Op.Flatten:
                    await shallow.Flattener.FlattenAsync();
                    break;
            }
            await CheckAsync(catalog, backend, m);
        }

        // The end: once the grace period has passed, one collection leaves only reachable disks and their files.
        time.Advance(Grace + TimeSpan.FromSeconds(1));
        if (kind == "qemu") time.Advance(TimeSpan.FromDays(365)); // real file mtimes are "now"; orphans need to age too
        await s.Collector.CollectAsync();
        var end = (await catalog.LoadAsync()).Tree();
        end.All.Select(d => d.Id).Should().BeEquivalentTo(end.Reachable(), "no unreachable disk survives past the grace period");
        (await backend.ListAsync()).Select(f => f.Id).Should().BeEquivalentTo(end.All.Select(d => d.Id));
        await CheckAsync(catalog, backend, m);
    }

    private static List<SnapshotName> SnapshotsOf(Model m, VmId vm) =>
        m.Snapshots.Keys.Where(k => k.Vm == vm).Select(k => k.Name).OrderBy(n => n.Value, StringComparer.Ordinal).ToList();

    private static async Task CheckAsync(InMemoryDiskCatalog catalog, IDiskBackend backend, Model m)
    {
        var snapshot = await catalog.LoadAsync();
        var tree = snapshot.Tree();
        snapshot.Intents.Should().BeEmpty();
        tree.Violations().Should().BeEmpty();
        tree.All.Select(d => tree.Depth(d.Id)).DefaultIfEmpty(0).Max().Should().BeLessThanOrEqualTo(MaxDepth);
        var files = (await backend.ListAsync()).Select(f => f.Id).ToHashSet();
        tree.Reachable().Should().BeSubsetOf(files, "every disk a root reaches keeps its file");
        tree.Roots.Count(r => r.Role == DiskRole.Image).Should().Be(m.Images.Count);
        var sim = backend as SimulatedDiskBackend;
        foreach (var (vm, expected) in m.Vms)
        {
            var leaf = tree.RequireActiveOf(vm);
            if (sim is not null) sim.Content(leaf.Id).Should().BeEquivalentTo(expected.Content, $"vm {vm} must read what it wrote");
            else (await backend.ReadChainAsync(leaf.Id)).Should().Equal([leaf.Id, .. tree.Ancestors(leaf.Id).Select(a => a.Id)]);
        }
        foreach (var ((vm, name), expected) in m.Snapshots)
        {
            var snap = tree.SnapshotOf(vm, name);
            snap.Should().NotBeNull($"snapshot {name} of {vm} is still visible");
            if (sim is not null) sim.Content(snap!.Id).Should().BeEquivalentTo(expected.Content, $"snapshot {name} must keep its content");
        }
        tree.Roots.Count(r => r.Role.IsVisibleSnapshot()).Should().Be(m.Snapshots.Count);
        tree.Roots.Count(r => r.Role == DiskRole.Active).Should().Be(m.Vms.Count);
    }
}
