using Microsoft.Extensions.Logging;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

/// <summary>What recovery did with one pending intent.</summary>
public enum RecoveryOutcome
{
    /// <summary>The operation never committed; the files it had made were deleted.</summary>
    RolledBack,
    /// <summary>The operation had committed its rows; its remaining file deletions were finished.</summary>
    RolledForward,
    /// <summary>A rebase: the catalog now records the backing file the disk really has.</summary>
    Reconciled,
}

public sealed record RecoveredIntent(DiskIntent Intent, RecoveryOutcome Outcome, string Detail);

/// <summary>One disagreement between the catalog and the files, or one broken tree rule, in words.</summary>
public sealed record ConsistencyProblem(DiskId? Disk, string Problem);

/// <summary>The start-up pass: finishes or rolls back every operation a crash interrupted, using the intent journal.
/// Run it once before serving requests; it is idempotent, so a crash during recovery is fixed by running it again.</summary>
public sealed partial class DiskRecovery
{
    private readonly DiskStore _store;
    private readonly ILogger _log;

    internal DiskRecovery(DiskStore store)
    {
        _store = store;
        _log = store.Loggers.CreateLogger<DiskRecovery>();
    }

    public Task<IReadOnlyList<RecoveredIntent>> RecoverAsync(CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var snapshot = await _store.Catalog.LoadAsync(ct);
            var results = new List<RecoveredIntent>();
            foreach (var intent in snapshot.Intents.OrderBy(i => i.StartedAt))
            {
                var tree = await _store.LoadTreeAsync(ct);
                results.Add(intent.Kind switch
                {
                    DiskIntentKind.CreateFiles => await RollBackCreateAsync(tree, intent, ct),
                    DiskIntentKind.DeleteFiles => await FinishDeleteAsync(tree, intent, ct),
                    DiskIntentKind.Rebase => await ReconcileRebaseAsync(tree, intent, ct),
                    DiskIntentKind.LiveSwitch => await RecoverLiveSwitchAsync(tree, intent, ct),
                    _ => throw new InvalidOperationException($"unknown intent kind {intent.Kind}"),
                });
            }
            foreach (var r in results) LogRecovered(_log, r.Intent.Operation, r.Outcome, r.Detail);
            return (IReadOnlyList<RecoveredIntent>)results;
        }, ct);

    /// <summary>Checks, without changing anything, that the tree obeys its rules and that every row's file exists and
    /// names the same backing file as the catalog. Reads every header (one qemu-img call per disk), so it is an
    /// operator's tool and a test oracle, not something to run on every request.</summary>
    public Task<IReadOnlyList<ConsistencyProblem>> VerifyAsync(CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var snapshot = await _store.Catalog.LoadAsync(ct);
            var tree = snapshot.Tree();
            var problems = tree.Violations().Select(v => new ConsistencyProblem(null, v)).ToList();
            problems.AddRange(snapshot.Intents.Select(i => new ConsistencyProblem(null, $"operation '{i.Operation}' is half done; run recovery")));
            foreach (var d in tree.All)
            {
                var stored = await _store.Backend.InspectAsync(d.Id, ct);
                if (stored is null) problems.Add(new ConsistencyProblem(d.Id, $"{d.Label} has no file"));
                else if (stored.Parent != d.Parent)
                    problems.Add(new ConsistencyProblem(d.Id, $"{d.Label}: the file backs onto {stored.Parent?.ToString() ?? "nothing"}, the catalog says {d.Parent?.ToString() ?? "nothing"}"));
            }
            return (IReadOnlyList<ConsistencyProblem>)problems;
        }, ct);

    private async Task<RecoveredIntent> RollBackCreateAsync(DiskTree tree, DiskIntent intent, CancellationToken ct)
    {
        // Rows and intent close are one atomic write, so a pending intent means no row names these files. The check
        // guards a catalog that broke that promise: a file a row names is never deleted.
        var deletable = intent.Files.Where(f => !tree.Contains(f)).ToList();
        foreach (var id in deletable) await _store.Backend.DeleteAsync(id, ct);
        await _store.Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
        return new RecoveredIntent(intent, RecoveryOutcome.RolledBack, $"'{intent.Operation}' had not committed; removed {deletable.Count} new file(s)");
    }

    /// <summary>A running VM's switch to a new leaf was interrupted. If the new leaf's file exists and backs onto the old
    /// leaf, the driver made it and the VM may be writing to it: roll forward (the old leaf freezes — as the snapshot
    /// the intent names when that name is still free, else unnamed — and the new leaf becomes the VM's active disk;
    /// a fork's other child is removed, as for an interrupted fork). Otherwise the switch never happened: roll back.</summary>
    private async Task<RecoveredIntent> RecoverLiveSwitchAsync(DiskTree tree, DiskIntent intent, CancellationToken ct)
    {
        var step = intent.LiveSwitch ?? throw new InvalidOperationException($"live-switch intent {intent.Id} has no step");
        var leaf = tree.Find(step.From);
        var stored = tree.Contains(step.To) ? null : await _store.Backend.InspectAsync(step.To, ct);
        if (stored is null || stored.Parent != step.From || leaf is not { Role: DiskRole.Active } || leaf.Vm != step.Vm)
        {
            var back = await RollBackCreateAsync(tree, intent, ct);
            return back with { Detail = $"the running VM {step.Vm} had not switched to disk {step.To} (its file is {(stored is null ? "absent" : "not a child of " + step.From)}); it stays on {step.From}. " + back.Detail };
        }
        var others = intent.Files.Where(f => f != step.To && !tree.Contains(f)).ToList();
        foreach (var id in others) await _store.Backend.DeleteAsync(id, ct);
        var frozen = step.Snapshot is { } name && tree.SnapshotOf(step.Vm, name) is null ? leaf.FreezeAsSnapshot(name) : leaf.FreezeUnnamed();
        var active = Disk.NewActive(step.To, leaf, step.Vm, leaf.Owner, _store.Now).WithFileSize(stored.FileSize);
        await _store.CommitAsync(tree, new CatalogChange { Upserts = [frozen, active], End = intent.Id }, ct);
        return new RecoveredIntent(intent, RecoveryOutcome.RolledForward,
            $"the running VM {step.Vm} had switched to disk {step.To}: it is now the VM's active disk and {step.From} is frozen as {frozen.Label}"
            + (others.Count > 0 ? $"; removed {others.Count} unfinished file(s) of the operation" : ""));
    }

    private async Task<RecoveredIntent> FinishDeleteAsync(DiskTree tree, DiskIntent intent, CancellationToken ct)
    {
        var deletable = intent.Files.Where(f => !tree.Contains(f)).ToList();
        foreach (var id in deletable) await _store.Backend.DeleteAsync(id, ct);
        await _store.Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
        return new RecoveredIntent(intent, RecoveryOutcome.RolledForward, $"'{intent.Operation}' had removed its rows; unlinked {deletable.Count} file(s)");
    }

    private async Task<RecoveredIntent> ReconcileRebaseAsync(DiskTree tree, DiskIntent intent, CancellationToken ct)
    {
        var step = intent.Rebase ?? throw new InvalidOperationException($"rebase intent {intent.Id} has no step");
        var disk = tree.Find(step.Disk);
        var stored = await _store.Backend.InspectAsync(step.Disk, ct);
        var detail = "the disk is gone";
        if (disk is not null && stored is not null)
        {
            // A safe rebase copies data before it rewrites the header, so the file is consistent with whichever
            // parent its header names; the catalog follows the file.
            var actual = stored.Parent;
            if (actual is { } p && p != disk.Parent && tree.Contains(p))
            {
                await _store.CommitAsync(tree, new CatalogChange { Upserts = [disk.RebasedOnto(p, stored.FileSize)], End = intent.Id }, ct);
                return new RecoveredIntent(intent, RecoveryOutcome.Reconciled, $"disk {step.Disk} now backs onto {p} as its file says");
            }
            detail = $"disk {step.Disk} still backs onto {disk.Parent}";
        }
        await _store.Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
        return new RecoveredIntent(intent, RecoveryOutcome.Reconciled, detail);
    }
}
