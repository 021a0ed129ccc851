using System.Collections.Immutable;
using Octopus.Domain;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Model;

/// <summary>An immutable view of the whole catalog as a forest, with the chain rules: lookups, depth, ancestry,
/// reachability from live roots, and a check of every invariant. Services read it, decide, and write a change set.
/// <para>It is persistent: <see cref="With"/> makes the tree after a change in time proportional to the change (not to
/// the catalog), sharing everything else with this one, so a catalog can keep one tree up to date across changes instead
/// of building it again for every operation. It also indexes what operations ask by VM and by image name, so
/// <see cref="ActiveOf"/>, <see cref="SnapshotsOf"/> and <see cref="ImageNamed"/> do not scan the catalog.</para></summary>
public sealed class DiskTree
{
    private readonly ImmutableDictionary<DiskId, Disk> _byId;
    private readonly ImmutableDictionary<DiskId, ImmutableHashSet<DiskId>> _children;
    /// <summary>Every disk that names a VM, by that VM (its active leaf, snapshots, checkpoints and released leaves).</summary>
    private readonly ImmutableDictionary<VmId, ImmutableHashSet<DiskId>> _byVm;
    /// <summary>Every disk of role <see cref="DiskRole.Image"/>, by image name.</summary>
    private readonly ImmutableDictionary<ImageName, ImmutableHashSet<DiskId>> _images;

    public DiskTree(IEnumerable<Disk> disks)
    {
        var index = new Index(ImmutableDictionary<DiskId, Disk>.Empty, ImmutableDictionary<DiskId, ImmutableHashSet<DiskId>>.Empty,
            ImmutableDictionary<VmId, ImmutableHashSet<DiskId>>.Empty, ImmutableDictionary<ImageName, ImmutableHashSet<DiskId>>.Empty);
        foreach (var d in disks)
        {
            if (index.ById.ContainsKey(d.Id)) throw new ArgumentException($"disk {d.Id} appears twice in the catalog", nameof(disks));
            index.Add(d);
        }
        (_byId, _children, _byVm, _images) = (index.ById.ToImmutable(), index.Children.ToImmutable(), index.ByVm.ToImmutable(), index.Images.ToImmutable());
    }

    private DiskTree(Index index) =>
        (_byId, _children, _byVm, _images) = (index.ById.ToImmutable(), index.Children.ToImmutable(), index.ByVm.ToImmutable(), index.Images.ToImmutable());

    /// <summary>The tree after removing <paramref name="removals"/> (absent ids are ignored) and then inserting or
    /// replacing <paramref name="upserts"/>; this tree is unchanged. Costs O((removals + upserts) · log n).</summary>
    public DiskTree With(IEnumerable<DiskId> removals, IEnumerable<Disk> upserts)
    {
        var index = new Index(_byId, _children, _byVm, _images);
        foreach (var id in removals)
            if (index.ById.TryGetValue(id, out var old)) index.Remove(old);
        foreach (var d in upserts)
        {
            if (index.ById.TryGetValue(d.Id, out var old)) index.Remove(old);
            index.Add(d);
        }
        return new DiskTree(index);
    }

    /// <summary>The builders of a tree's maps while it is made or changed.</summary>
    private sealed class Index(
        ImmutableDictionary<DiskId, Disk> byId, ImmutableDictionary<DiskId, ImmutableHashSet<DiskId>> children,
        ImmutableDictionary<VmId, ImmutableHashSet<DiskId>> byVm, ImmutableDictionary<ImageName, ImmutableHashSet<DiskId>> images)
    {
        public ImmutableDictionary<DiskId, Disk>.Builder ById { get; } = byId.ToBuilder();
        public ImmutableDictionary<DiskId, ImmutableHashSet<DiskId>>.Builder Children { get; } = children.ToBuilder();
        public ImmutableDictionary<VmId, ImmutableHashSet<DiskId>>.Builder ByVm { get; } = byVm.ToBuilder();
        public ImmutableDictionary<ImageName, ImmutableHashSet<DiskId>>.Builder Images { get; } = images.ToBuilder();

        public void Add(Disk d)
        {
            ById[d.Id] = d;
            if (d.Parent is { } p) AddTo(Children, p, d.Id);
            if (d.Vm is { } vm) AddTo(ByVm, vm, d.Id);
            if (d is { Role: DiskRole.Image, Image: { } name }) AddTo(Images, name, d.Id);
        }

        public void Remove(Disk d)
        {
            ById.Remove(d.Id);
            if (d.Parent is { } p) RemoveFrom(Children, p, d.Id);
            if (d.Vm is { } vm) RemoveFrom(ByVm, vm, d.Id);
            if (d is { Role: DiskRole.Image, Image: { } name }) RemoveFrom(Images, name, d.Id);
        }

        private static void AddTo<TKey>(ImmutableDictionary<TKey, ImmutableHashSet<DiskId>>.Builder map, TKey key, DiskId id) where TKey : notnull =>
            map[key] = (map.TryGetValue(key, out var set) ? set : []).Add(id);

        private static void RemoveFrom<TKey>(ImmutableDictionary<TKey, ImmutableHashSet<DiskId>>.Builder map, TKey key, DiskId id) where TKey : notnull
        {
            if (!map.TryGetValue(key, out var set)) return;
            set = set.Remove(id);
            if (set.IsEmpty) map.Remove(key);
            else map[key] = set;
        }
    }

    public int Count => _byId.Count;
    public IEnumerable<Disk> All => _byId.Values;
    public bool Contains(DiskId id) => _byId.ContainsKey(id);
    public Disk? Find(DiskId id) => _byId.GetValueOrDefault(id);

    public Disk Get(DiskId id) => _byId.TryGetValue(id, out var d) ? d : throw DomainException.NotFound("disk", id.ToString());

    public bool HasChildren(DiskId id) => _children.ContainsKey(id);

    public IReadOnlyList<Disk> ChildrenOf(DiskId id) =>
        _children.TryGetValue(id, out var set) ? set.Select(c => _byId[c]).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id.Value).ToList() : [];

    /// <summary>The backing chain of a disk, nearest parent first, root last (the disk itself excluded).</summary>
    public IEnumerable<Disk> Ancestors(DiskId id)
    {
        var seen = new HashSet<DiskId> { id };
        var current = Get(id);
        while (current.Parent is { } p && _byId.TryGetValue(p, out var parent))
        {
            if (!seen.Add(p)) throw new InvalidOperationException($"disk chain of {id} has a cycle at {p}");
            yield return parent;
            current = parent;
        }
    }

    /// <summary>Number of backing files below the disk: 0 for an image, 1 for a VM disk straight on an image.</summary>
    public int Depth(DiskId id) => Ancestors(id).Count();

    /// <summary>All disks below <paramref name="id"/>, children before grandchildren.</summary>
    public IEnumerable<Disk> Descendants(DiskId id)
    {
        var queue = new Queue<DiskId>([id]);
        while (queue.Count > 0)
        {
            foreach (var c in ChildrenOf(queue.Dequeue()))
            {
                yield return c;
                queue.Enqueue(c.Id);
            }
        }
    }

    /// <summary>Every disk that names <paramref name="vm"/>, whatever its role.</summary>
    public IEnumerable<Disk> OfVm(VmId vm) => _byVm.TryGetValue(vm, out var ids) ? ids.Select(id => _byId[id]) : [];

    public Disk? ActiveOf(VmId vm) => OfVm(vm).FirstOrDefault(d => d.Role == DiskRole.Active);

    public Disk RequireActiveOf(VmId vm) =>
        ActiveOf(vm) ?? throw DomainException.NotFound("disk of vm", vm.ToString());

    public IEnumerable<Disk> SnapshotsOf(VmId vm) => OfVm(vm).Where(d => d.Role.IsVisibleSnapshot()).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id.Value);

    public Disk? SnapshotOf(VmId vm, SnapshotName name) => SnapshotsOf(vm).FirstOrDefault(d => d.Name == name);

    public Disk? ImageNamed(ImageName name) => _images.TryGetValue(name, out var ids) ? _byId[ids.First()] : null;

    public IEnumerable<Disk> Roots => _byId.Values.Where(d => d.Role.IsRoot());

    /// <summary>The mark phase: every root and every disk some root backs onto.</summary>
    public HashSet<DiskId> Reachable()
    {
        var marked = new HashSet<DiskId>();
        foreach (var root in Roots)
        {
            var cur = root;
            // Stop at the first disk already marked: its whole chain is marked too.
            while (marked.Add(cur.Id) && cur.Parent is { } p && _byId.TryGetValue(p, out var parent)) cur = parent;
        }
        return marked;
    }

    /// <summary>Disks in an order where every parent comes before its children.</summary>
    public IEnumerable<Disk> TopDown()
    {
        foreach (var root in _byId.Values.Where(d => d.Parent is null || !_byId.ContainsKey(d.Parent.Value)))
        {
            yield return root;
            foreach (var d in Descendants(root.Id)) yield return d;
        }
    }

    /// <summary>Every broken invariant, in words; empty when the tree is sound.</summary>
    public IReadOnlyList<string> Violations()
    {
        var problems = new List<string>();
        foreach (var d in _byId.Values)
        {
            if (d.Parent is { } p && !_byId.ContainsKey(p)) problems.Add($"disk {d.Id} backs onto {p}, which the catalog does not have");
            if (d.Role == DiskRole.Image && d.Parent is not null) problems.Add($"image {d.Image} has a parent");
            if (d.Role != DiskRole.Image && d.Parent is null && d.Role != DiskRole.Interior) problems.Add($"{d.Label} ({d.Id}) has no parent");
            if (d.Role == DiskRole.Active && HasChildren(d.Id)) problems.Add($"{d.Label} ({d.Id}) is written but has children");
            if (d.Role.IsVisibleSnapshot() && d.Name is null) problems.Add($"snapshot {d.Id} has no name");
        }
        foreach (var g in _byId.Values.Where(d => d.Role == DiskRole.Active).GroupBy(d => d.Vm).Where(g => g.Count() > 1))
            problems.Add($"vm {g.Key} has {g.Count()} active disks");
        foreach (var g in _byId.Values.Where(d => d.Role.IsVisibleSnapshot()).GroupBy(d => (d.Vm, d.Name)).Where(g => g.Count() > 1))
            problems.Add($"vm {g.Key.Vm} has {g.Count()} snapshots named '{g.Key.Name}'");
        foreach (var g in _byId.Values.Where(d => d.Role == DiskRole.Image).GroupBy(d => d.Image).Where(g => g.Count() > 1))
            problems.Add($"{g.Count()} images are named '{g.Key}'");
        try
        {
            foreach (var d in _byId.Values) _ = Depth(d.Id);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }
}
