using Octopus.Domain;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Model;

/// <summary>An immutable view of the whole catalog as a forest, with the chain rules: lookups, depth, ancestry,
/// reachability from live roots, and a check of every invariant. Services read it, decide, and write a change set.</summary>
public sealed class DiskTree
{
    private readonly Dictionary<DiskId, Disk> _byId;
    private readonly Dictionary<DiskId, List<DiskId>> _children = [];

    public DiskTree(IEnumerable<Disk> disks)
    {
        _byId = disks.ToDictionary(d => d.Id);
        foreach (var d in _byId.Values)
        {
            if (d.Parent is not { } p) continue;
            if (!_children.TryGetValue(p, out var list)) _children[p] = list = [];
            list.Add(d.Id);
        }
    }

    public int Count => _byId.Count;
    public IEnumerable<Disk> All => _byId.Values;
    public bool Contains(DiskId id) => _byId.ContainsKey(id);
    public Disk? Find(DiskId id) => _byId.GetValueOrDefault(id);

    public Disk Get(DiskId id) => _byId.TryGetValue(id, out var d) ? d : throw DomainException.NotFound("disk", id.ToString());

    public IReadOnlyList<Disk> ChildrenOf(DiskId id) =>
        _children.TryGetValue(id, out var list) ? list.Select(c => _byId[c]).ToList() : [];

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

    public Disk? ActiveOf(VmId vm) => _byId.Values.FirstOrDefault(d => d.Role == DiskRole.Active && d.Vm == vm);

    public Disk RequireActiveOf(VmId vm) =>
        ActiveOf(vm) ?? throw DomainException.NotFound("disk of vm", vm.ToString());

    public IEnumerable<Disk> SnapshotsOf(VmId vm) => _byId.Values.Where(d => d.Role.IsVisibleSnapshot() && d.Vm == vm);

    public Disk? SnapshotOf(VmId vm, SnapshotName name) => SnapshotsOf(vm).FirstOrDefault(d => d.Name == name);

    public Disk? ImageNamed(ImageName name) => _byId.Values.FirstOrDefault(d => d.Role == DiskRole.Image && d.Image == name);

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
            if (d.Role == DiskRole.Active && ChildrenOf(d.Id).Count > 0) problems.Add($"{d.Label} ({d.Id}) is written but has children");
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
