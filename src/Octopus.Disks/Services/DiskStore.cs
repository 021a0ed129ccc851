using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Microsoft.Extensions.Logging;
using Octopus.Domain.Units;

namespace Octopus.Disks.Services;

/// <summary>What every disk service shares: the catalog, the backend, the clock, the id source, and one gate so
/// that operations on the tree run one at a time (each reads the tree, decides, and commits on that reading).</summary>
internal sealed partial class DiskStore(IDiskCatalog catalog, IDiskBackend backend, TimeProvider time, DiskTreeOptions options, Func<DiskId> newId, ILoggerFactory loggers)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _log = loggers.CreateLogger<DiskStore>();

    public IDiskCatalog Catalog { get; } = catalog;
    public IDiskBackend Backend { get; } = backend;
    public TimeProvider Time { get; } = time;
    public DiskTreeOptions Options { get; } = options;
    public ILoggerFactory Loggers { get; } = loggers;
    public DiskId NewId() => newId();
    public DateTimeOffset Now => Time.GetUtcNow();

    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { return await action(); }
        finally { _gate.Release(); }
    }

    public async Task<DiskTree> LoadTreeAsync(CancellationToken ct) => (await Catalog.LoadAsync(ct)).Tree();

    /// <summary>Applies <paramref name="change"/> with every disk's unreachable-since stamp brought up to date in the
    /// same atomic write, so the grace period counts from the operation that cut a disk off, not from the next gc.
    /// Only the disks the change can affect are looked at: a disk's reachability depends on the disks below it alone (it
    /// is reachable when it is a root or one of its children is), so it can change only for the changed disks and their
    /// ancestors before and after the change; an operation's commit costs its chains, not the catalog.</summary>
    public async Task CommitAsync(DiskTree before, CatalogChange change, CancellationToken ct)
    {
        var after = before.With(change.Removals, change.Upserts);
        var affected = new HashSet<DiskId>();
        foreach (var id in change.Removals.Concat(change.Upserts.Select(d => d.Id)))
        {
            affected.Add(id);
            if (before.Contains(id)) affected.UnionWith(before.Ancestors(id).Select(a => a.Id));
            if (after.Contains(id)) affected.UnionWith(after.Ancestors(id).Select(a => a.Id));
        }
        var upserts = change.Upserts.ToDictionary(d => d.Id);
        var reachable = new Dictionary<DiskId, bool>();
        var now = Now;
        foreach (var id in affected)
        {
            if (after.Find(id) is not { } d) continue;
            var current = upserts.GetValueOrDefault(id) ?? d;
            var stamped = IsReachable(after, id, reachable) ? current.MarkReachable() : current.MarkUnreachable(now);
            if (!ReferenceEquals(stamped, current) || upserts.ContainsKey(id)) upserts[id] = stamped;
        }
        await Catalog.ApplyAsync(change with { Upserts = [.. upserts.Values] }, ct);
    }

    /// <summary>Whether a root reaches <paramref name="id"/> in <paramref name="tree"/>: it is a root, or a child is
    /// reachable. Answers are kept in <paramref name="known"/>; a root stops the walk, so it visits the disk's subtree
    /// only down to the nearest roots (a VM's chain, not an image's every VM).</summary>
    private static bool IsReachable(DiskTree tree, DiskId id, Dictionary<DiskId, bool> known)
    {
        if (known.TryGetValue(id, out var answer)) return answer;
        var disk = tree.Get(id);
        known[id] = false; // a cycle (a broken catalog) counts as unreachable rather than looping
        answer = disk.Role.IsRoot() || tree.ChildrenOf(id).Any(c => IsReachable(tree, c.Id, known));
        known[id] = answer;
        return answer;
    }

    /// <summary>Creates the files for new child disks and commits their rows, crash-safely:
    /// (1) journal a <see cref="DiskIntentKind.CreateFiles"/> intent naming the new ids; (2) create each file (and
    /// rebase it when the chain would be too deep); (3) commit the rows and close the intent in one atomic write.
    /// Before (3) no row points at a new file, so a crash loses nothing and recovery deletes the new files; after (3)
    /// the operation is done. Existing files are never modified: a child only reads its parent.</summary>
    /// <param name="children">The new rows, each with <see cref="Disk.Parent"/> set to the disk whose content it starts from.</param>
    /// <param name="finish">Builds the committing change from the created rows (freezing the old leaf, etc.).</param>
    public async Task<IReadOnlyList<Disk>> CreateChildrenAsync(
        DiskTree tree, string operation, IReadOnlyList<Disk> children, Func<IReadOnlyList<Disk>, CatalogChange> finish, CancellationToken ct)
    {
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.CreateFiles, operation, Now, children.Select(c => c.Id).ToList());
        await Catalog.ApplyAsync(CatalogChange.BeginIntent(intent), ct);
        try
        {
            // The children are independent files, so they are made side by side: a fork costs one qemu-img call's time.
            var created = await Task.WhenAll(children.Select(child => CreateFileAsync(tree, child, ct)));
            await CommitAsync(tree, finish(created) with { End = intent.Id }, ct);
            LogCreated(_log, operation, string.Join(", ", created.Select(c => c.Id)));
            return created;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await RollBackCreateAsync(intent, ct);
            throw;
        }
    }

    /// <summary>The running-VM variant of <see cref="CreateChildrenAsync"/>: (1) journal a
    /// <see cref="DiskIntentKind.LiveSwitch"/> intent naming the VM's new leaf and the other new files; (2) create the
    /// other files (a fork's child: a header over the leaf, whose content is fixed once the leaf stops changing);
    /// (3) <paramref name="switchTo"/> makes the driver create <paramref name="continuing"/>'s file and move the VM's
    /// writes to it; (4) commit the rows and close the intent in one atomic write. A failure before (3) returns rolls
    /// back (files deleted, catalog unchanged, the VM on its old leaf); after (3) the operation can only go forward, and
    /// a crash is rolled forward by <see cref="DiskRecovery"/>. Live children are never rebased: the VM's leaf is being
    /// written until the switch, and a file the VM has open is never rewritten.</summary>
    public async Task<IReadOnlyList<Disk>> SwitchLiveAsync(DiskTree tree, string operation, Disk leaf, Disk continuing, IReadOnlyList<Disk> others,
        SnapshotName? snapshot, LiveDiskSwitch switchTo, Func<IReadOnlyList<Disk>, CatalogChange> finish, CancellationToken ct)
    {
        var vm = leaf.Vm ?? throw new InvalidOperationException("a live switch needs a VM's active leaf");
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.LiveSwitch, operation, Now, [continuing.Id, .. others.Select(o => o.Id)],
            LiveSwitch: new LiveSwitchStep(vm, leaf.Id, continuing.Id, snapshot));
        await Catalog.ApplyAsync(CatalogChange.BeginIntent(intent), ct);
        Disk[] made;
        try
        {
            made = await Task.WhenAll(others.Select(child => CreateFileAsync(tree, child, ct, rebase: false)));
            await switchTo(continuing.Id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLiveSwitchFailed(_log, operation, vm.ToString(), e.Message);
            await RollBackCreateAsync(intent, CancellationToken.None);
            throw;
        }
        // The VM now writes to the new leaf: from here on the operation only goes forward (a cancellation is ignored).
        var stored = await Backend.InspectAsync(continuing.Id, CancellationToken.None);
        if (stored is null || stored.Parent != leaf.Id)
        {
            LogLiveSwitchUnverified(_log, operation, continuing.Id.ToString());
            throw new DiskBackendException($"{operation}: the driver reported the switch to disk {continuing.Id}, but its file "
                + (stored is null ? "is missing" : $"backs onto {stored.Parent?.ToString() ?? "nothing"} instead of {leaf.Id}")
                + "; the catalog was not changed and the server's start-up recovery will reconcile it.");
        }
        IReadOnlyList<Disk> created = [continuing.WithFileSize(stored.FileSize), .. made];
        await CommitAsync(tree, finish(created) with { End = intent.Id }, CancellationToken.None);
        LogLiveSwitched(_log, operation, vm.ToString(), leaf.Id.ToString(), continuing.Id.ToString());
        return created;
    }

    private async Task<Disk> CreateFileAsync(DiskTree tree, Disk child, CancellationToken ct, bool rebase = true)
    {
        var parent = child.Parent ?? throw new InvalidOperationException("a child disk needs a parent");
        var grow = child.VirtualSize > tree.Get(parent).VirtualSize ? child.VirtualSize : (ByteSize?)null;
        var size = await Backend.CreateChildAsync(child.Id, parent, grow, ct);
        var row = child.WithFileSize(size);
        if (rebase && ShallowerBase(tree, parent) is { } target)
        {
            size = await Backend.RebaseAsync(child.Id, target, ct);
            row = row.RebasedOnto(target, size);
        }
        return row;
    }

    /// <summary>When a child of <paramref name="parent"/> would pass the depth limit, the ancestor to rebase it onto:
    /// the one at depth MaxChainDepth / 2 on the parent's chain. Null when the chain is short enough.</summary>
    public DiskId? ShallowerBase(DiskTree tree, DiskId parent)
    {
        var chain = tree.Ancestors(parent).Reverse().Append(tree.Get(parent)).ToList(); // chain[k] has depth k
        return chain.Count > Options.MaxChainDepth ? chain[Options.MaxChainDepth / 2].Id : null;
    }

    internal async Task RollBackCreateAsync(DiskIntent intent, CancellationToken ct)
    {
        try
        {
            foreach (var id in intent.Files) await Backend.DeleteAsync(id, ct);
            await Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
        }
        catch (Exception e)
        {
            LogRollbackFailed(_log, intent.Operation, e.Message);
            // The storage or catalog is failing too: the intent stays journaled and the recovery pass finishes the rollback.
        }
    }
}
