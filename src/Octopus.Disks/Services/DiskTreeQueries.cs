using Octopus.Disks.Model;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Services;

/// <summary>One node of the <c>disk tree</c> view.</summary>
/// <param name="Depth">Chain depth (0 for an image).</param>
/// <param name="KeptAliveBy">Why the disk exists: the roots that reach it (itself first if it is one). Empty means
/// unreachable: the collector will remove it once <see cref="Disk.UnreachableSince"/> is older than the grace period.</param>
/// <param name="FileSize">What the file takes now (read from the storage folder, so an active disk's growth shows).</param>
/// <param name="FileMissing">The catalog has the disk but the storage folder has no file for it.</param>
/// <param name="SubtreeSize">File size of the disk and everything below it.</param>
public sealed record DiskTreeNode(
    Disk Disk, int Depth, IReadOnlyList<string> KeptAliveBy, ByteSize FileSize, bool FileMissing, ByteSize SubtreeSize, IReadOnlyList<DiskTreeNode> Children);

/// <summary>The <c>disk tree</c> view: every tree from its root, with totals.</summary>
/// <param name="Viewer">Whose view this is when it is not the whole forest (see <see cref="DiskTreeQueries.TreeForAsync"/>):
/// the text then shows other users' disks without their owner. Null for an administrator's full view.</param>
public sealed record DiskTreeView(IReadOnlyList<DiskTreeNode> Roots, int DiskCount, ByteSize TotalSize, UserId? Viewer = null);

/// <summary>One snapshot in a VM's snapshot tree; <see cref="IsCurrent"/> marks the VM's active disk ("you are here").</summary>
public sealed record SnapshotNode(Disk Disk, bool IsCurrent, IReadOnlyList<SnapshotNode> Children)
{
    public SnapshotName? Name => Disk.Name;
}

/// <summary>Read-only views of the disk tree for the CLI, the API and the web UI.</summary>
public sealed class DiskTreeQueries
{
    private readonly DiskStore _store;

    internal DiskTreeQueries(DiskStore store) => _store = store;

    /// <summary>The whole forest, or only the chains of one VM's disks (its active disk, snapshots and their ancestors).</summary>
    public async Task<DiskTreeView> TreeAsync(VmId? vm = null, CancellationToken ct = default)
    {
        var tree = await _store.LoadTreeAsync(ct);
        return await BuildAsync(tree, vm is { } v ? ChainsOf(tree, [v]) : null, KeptAliveBy(tree, _ => true), viewer: null, ct: ct);
    }

    /// <summary>The VM's active disk as a node of its chain (depth, file size as the catalog recorded it at the disk's last
    /// change), or null when it has none. Reads only the VM's chain, not the forest nor the storage folder: the operation
    /// runner asks it on every create, so it must not cost more as the catalog grows.</summary>
    public async Task<DiskTreeNode?> ActiveAsync(VmId vm, CancellationToken ct = default)
    {
        var tree = await _store.LoadTreeAsync(ct);
        if (tree.ActiveOf(vm) is not { } d) return null;
        return new DiskTreeNode(d, tree.Depth(d.Id), [$"is the {d.Label}"], d.FileSize, FileMissing: false, d.FileSize, []);
    }

    /// <summary>Every disk that names the VM (its active leaf, snapshots, checkpoints, released leaves), oldest first.</summary>
    public async Task<IReadOnlyList<Disk>> DisksOfAsync(VmId vm, CancellationToken ct = default) =>
        [.. (await _store.LoadTreeAsync(ct)).OfVm(vm).OrderBy(d => d.CreatedAt)];

    /// <summary>What one user may see: the chains of <paramref name="vms"/> (theirs), merged where they share an image.
    /// A shared disk says only which of the viewer's own roots (and which images) keep it alive, never another user's
    /// VM ids or snapshot names, and the text shows no other owner's id.</summary>
    public async Task<DiskTreeView> TreeForAsync(UserId viewer, IReadOnlyCollection<VmId> vms, CancellationToken ct = default)
    {
        var tree = await _store.LoadTreeAsync(ct);
        return await BuildAsync(tree, ChainsOf(tree, vms), KeptAliveBy(tree, r => r.Owner == viewer || r.Role == DiskRole.Image), viewer, ct);
    }

    private static HashSet<DiskId> ChainsOf(DiskTree tree, IReadOnlyCollection<VmId> vms)
    {
        var shown = new HashSet<DiskId>();
        foreach (var d in tree.All.Where(d => d.Vm is { } v && vms.Contains(v) && (d.Role.IsRoot() || d.Role == DiskRole.Interior)))
        {
            shown.Add(d.Id);
            foreach (var a in tree.Ancestors(d.Id)) shown.Add(a.Id);
        }
        return shown;
    }

    private async Task<DiskTreeView> BuildAsync(DiskTree tree, HashSet<DiskId>? shown, Dictionary<DiskId, List<string>> keptBy, UserId? viewer, CancellationToken ct)
    {
        var files = (await _store.Backend.ListAsync(ct)).ToDictionary(f => f.Id, f => f.Size);
        DiskTreeNode Build(Disk d, int depth)
        {
            var children = tree.ChildrenOf(d.Id).Where(c => shown is null || shown.Contains(c.Id))
                .OrderBy(c => c.CreatedAt).Select(c => Build(c, depth + 1)).ToList();
            var missing = !files.TryGetValue(d.Id, out var fileSize);
            var size = children.Aggregate(fileSize, (s, c) => s + c.SubtreeSize);
            return new DiskTreeNode(Redact(d), depth, keptBy.GetValueOrDefault(d.Id) ?? [], fileSize, missing, size, children);
        }
        // Another user's disk inside the viewer's chain (an admin forked it for them) shows as a plain interior disk.
        Disk Redact(Disk d) => viewer is null || d.Owner == viewer || d.Role == DiskRole.Image
            ? d : d with { Role = DiskRole.Interior, Vm = null, Name = null, Checkpoint = null };
        var roots = tree.All.Where(d => (d.Parent is null || !tree.Contains(d.Parent.Value)) && (shown is null || shown.Contains(d.Id)))
            .OrderBy(d => d.CreatedAt).Select(d => Build(d, 0)).ToList();
        return new DiskTreeView(roots, roots.Sum(Count), roots.Aggregate(ByteSize.Zero, (s, r) => s + r.SubtreeSize), viewer);
        static int Count(DiskTreeNode n) => 1 + n.Children.Sum(Count);
    }

    /// <summary>A VM's snapshots and checkpoints as a tree (a snapshot's parent is the nearest earlier snapshot its
    /// content came from), with the active disk as a "current" leaf.</summary>
    public async Task<IReadOnlyList<SnapshotNode>> SnapshotsAsync(VmId vm, CancellationToken ct = default)
    {
        var tree = await _store.LoadTreeAsync(ct);
        var members = tree.SnapshotsOf(vm).ToList();
        if (tree.ActiveOf(vm) is { } active) members.Add(active);
        var ids = members.Select(m => m.Id).ToHashSet();
        var parentOf = members.ToDictionary(m => m.Id, m => NearestSnapshot(tree, m, ids));
        SnapshotNode Build(Disk d) => new(d, d.Role == DiskRole.Active,
            members.Where(m => parentOf[m.Id] == d.Id).OrderBy(m => m.CreatedAt).Select(Build).ToList());
        return members.Where(m => parentOf[m.Id] is null).OrderBy(m => m.CreatedAt).Select(Build).ToList();
    }

    /// <summary>Follows where content came from (<see cref="Disk.Origin"/>, or the backing file when the origin is
    /// gone) until it meets another member; the origin link survives flattening, the backing link may skip snapshots.</summary>
    private static DiskId? NearestSnapshot(DiskTree tree, Disk d, HashSet<DiskId> members)
    {
        var seen = new HashSet<DiskId> { d.Id };
        var cur = d;
        while (true)
        {
            DiskId? next = cur.Origin is { } o && tree.Contains(o) ? o : cur.Parent;
            if (next is not { } n || !tree.Contains(n) || !seen.Add(n)) return null;
            if (members.Contains(n)) return n;
            cur = tree.Get(n);
        }
    }

    /// <summary>For every disk, the labels of the roots (those <paramref name="shown"/> allows) whose chains pass through it.</summary>
    private static Dictionary<DiskId, List<string>> KeptAliveBy(DiskTree tree, Func<Disk, bool> shown)
    {
        var result = new Dictionary<DiskId, List<string>>();
        // Oldest first; at the same instant (a clock that did not move), the one nearer the base first.
        foreach (var root in tree.Roots.Where(shown).OrderBy(r => r.CreatedAt).ThenBy(r => tree.Depth(r.Id)).ThenBy(r => r.Id.Value))
        {
            foreach (var d in tree.Ancestors(root.Id).Prepend(root))
            {
                if (!result.TryGetValue(d.Id, out var list)) result[d.Id] = list = [];
                list.Add(d.Id == root.Id ? $"is the {root.Label}" : root.Label);
            }
        }
        return result;
    }
}
