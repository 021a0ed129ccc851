using Microsoft.Extensions.Logging;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

/// <summary>One rebase the flattener made.</summary>
public sealed record FlattenStep(DiskId Disk, DiskId From, DiskId To, int DepthBefore, int DepthAfter);

/// <summary>Shortens chains that are deeper than <see cref="DiskTreeOptions.MaxChainDepth"/>, e.g. after the limit
/// was lowered. New disks never need it: operations rebase a too-deep new child before committing it.</summary>
/// <remarks>Only rebases (never commits) are used: a rebase rewrites one disk so its content is unchanged while its
/// backing file skips some ancestors. Snapshots, images and every other disk keep their files and content, so no
/// snapshot a user can see is lost; skipped unnamed disks that nothing else backs onto become unreachable and the
/// collector removes them. A disk that a running VM has open must not be rebased by qemu-img: pass
/// <c>canRewrite</c> to skip the disks of running VMs (the agent streams those live).</remarks>
public sealed partial class ChainFlattener
{
    private readonly DiskStore _store;
    private readonly ILogger _log;

    internal ChainFlattener(DiskStore store)
    {
        _store = store;
        _log = store.Loggers.CreateLogger<ChainFlattener>();
    }

    /// <summary>Rebases, parents before children, every disk deeper than the limit onto its ancestor at depth
    /// MaxChainDepth / 2. Each rebase is journaled: recovery reads the file's real backing and makes the catalog agree.</summary>
    public Task<IReadOnlyList<FlattenStep>> FlattenAsync(Func<Disk, bool>? canRewrite = null, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var steps = new List<FlattenStep>();
            var skipped = new HashSet<DiskId>();
            while (true)
            {
                var tree = await _store.LoadTreeAsync(ct);
                var next = tree.TopDown().FirstOrDefault(d =>
                    !skipped.Contains(d.Id) && d.Parent is not null && tree.Depth(d.Id) > _store.Options.MaxChainDepth);
                if (next is null) return (IReadOnlyList<FlattenStep>)steps;
                if (canRewrite is not null && !canRewrite(next))
                {
                    skipped.Add(next.Id);
                    continue;
                }
                steps.Add(await RebaseAsync(tree, next, ct));
            }
        }, ct);

    private async Task<FlattenStep> RebaseAsync(DiskTree tree, Disk disk, CancellationToken ct)
    {
        var depthBefore = tree.Depth(disk.Id);
        var target = _store.ShallowerBase(tree, disk.Parent!.Value)!.Value;
        var step = new RebaseStep(disk.Id, disk.Parent.Value, target);
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.Rebase, $"flatten disk {disk.Id}", _store.Now, [], step);
        // Journal, rebase the file, then commit the new parent link with the journal entry's close.
        await _store.Catalog.ApplyAsync(CatalogChange.BeginIntent(intent), ct);
        var size = await _store.Backend.RebaseAsync(disk.Id, target, ct);
        await _store.CommitAsync(tree, new CatalogChange { Upserts = [disk.RebasedOnto(target, size)], End = intent.Id }, ct);
        var result = new FlattenStep(disk.Id, step.From, target, depthBefore, tree.Depth(target) + 1);
        LogRebased(_log, disk.Id, disk.Label, result.DepthBefore, result.DepthAfter);
        return result;
    }
}
