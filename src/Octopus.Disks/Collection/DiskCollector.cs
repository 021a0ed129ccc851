using Microsoft.Extensions.Logging;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain.Units;

namespace Octopus.Disks.Collection;

/// <summary>The disk garbage collector: marks from live roots (VM active disks, snapshots, checkpoints, images) along
/// backing links, and sweeps what is unreachable once the grace period has passed; also deletes orphan files and
/// reports catalog rows whose files are gone.</summary>
/// <remarks>Sweep order per batch: (1) one atomic catalog write removes the rows and journals a
/// <see cref="DiskIntentKind.DeleteFiles"/> intent naming their files; (2) the files are unlinked, children before
/// parents; (3) the intent is closed. A crash after (1) leaves only files nobody references, which recovery (or the
/// orphan pass) unlinks; a row is never left pointing at a deleted file.</remarks>
public sealed partial class DiskCollector
{
    private readonly DiskStore _store;
    private readonly ILogger _log;

    internal DiskCollector(DiskStore store)
    {
        _store = store;
        _log = store.Loggers.CreateLogger<DiskCollector>();
    }

    /// <summary>Runs one collection. With <paramref name="dryRun"/> nothing is written: the report lists what would go.</summary>
    public Task<GcReport> CollectAsync(bool dryRun = false, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var now = _store.Now;
            var grace = _store.Options.GracePeriod;
            var snapshot = await _store.Catalog.LoadAsync(ct);
            var tree = snapshot.Tree();
            var files = (await _store.Backend.ListAsync(ct)).ToDictionary(f => f.Id);

            // Mark.
            var reachable = tree.Reachable();
            DateTimeOffset Since(Disk d) => d.UnreachableSince ?? now;

            // A disk is due when it and everything below it are unreachable past the grace period, so a file is
            // never removed while a younger unreachable disk still backs onto it.
            var due = new HashSet<DiskId>();
            var pending = new List<GcPending>();
            foreach (var d in tree.TopDown().Reverse())
            {
                if (reachable.Contains(d.Id)) continue;
                var dueAt = Since(d) + grace;
                if (dueAt <= now && tree.ChildrenOf(d.Id).All(c => due.Contains(c.Id))) due.Add(d.Id);
                else pending.Add(new GcPending(d.Id, GcReason.Unreachable, dueAt > now ? dueAt : now, Describe(d)));
            }

            // Orphans: files named like disks that neither the catalog nor an in-flight operation knows.
            var journaled = snapshot.Intents.SelectMany(i => i.Files).ToHashSet();
            var orphans = new List<GcItem>();
            foreach (var f in files.Values.Where(f => !tree.Contains(f.Id) && !journaled.Contains(f.Id)))
            {
                var dueAt = f.Modified + grace;
                if (dueAt <= now) orphans.Add(new GcItem(f.Id, GcReason.OrphanFile, f.Size, $"file {f.Id.FileName} unknown to the catalog"));
                else pending.Add(new GcPending(f.Id, GcReason.OrphanFile, dueAt, $"file {f.Id.FileName} unknown to the catalog"));
            }

            var missing = tree.All.Where(d => !files.ContainsKey(d.Id)).Select(d => new MissingFile(d, reachable.Contains(d.Id))).ToList();

            // Children before parents, so every file that remains keeps its backing file until it goes itself.
            var sweep = tree.TopDown().Reverse().Where(d => due.Contains(d.Id)).ToList();
            var collected = sweep.Select(d => new GcItem(d.Id, GcReason.Unreachable, files.GetValueOrDefault(d.Id)?.Size ?? ByteSize.Zero, Describe(d)))
                .Concat(orphans).ToList();

            if (!dryRun)
            {
                // Stamps for disks whose reachability changed behind the services' back (e.g. a catalog edited by hand).
                var stamps = tree.All.Where(d => !due.Contains(d.Id))
                    .Select(d => (Old: d, New: reachable.Contains(d.Id) ? d.MarkReachable() : d.MarkUnreachable(now)))
                    .Where(p => !ReferenceEquals(p.Old, p.New)).Select(p => p.New).ToList();
                var doomed = collected.Select(c => c.Id).ToList();
                if (doomed.Count > 0 || stamps.Count > 0)
                {
                    var intent = doomed.Count > 0
                        ? new DiskIntent(DiskIntentId.New(), DiskIntentKind.DeleteFiles, $"collect {doomed.Count} disk(s)", now, doomed)
                        : null;
                    await _store.Catalog.ApplyAsync(new CatalogChange { Upserts = stamps, Removals = sweep.Select(d => d.Id).ToList(), Begin = intent }, ct);
                    if (intent is not null)
                    {
                        foreach (var id in doomed) await _store.Backend.DeleteAsync(id, ct);
                        await _store.Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
                    }
                }
            }
            var report = new GcReport(dryRun, now, reachable.Count, collected, pending.OrderBy(p => p.DueAt).ToList(), missing);
            LogCollected(_log, dryRun ? "dry run" : "collected", tree.Count, reachable.Count, sweep.Count, orphans.Count, report.BytesFreed.ToString(), pending.Count);
            foreach (var m in missing) LogMissing(_log, m.Disk.Id, m.Disk.Label, m.IsReachable);
            return report;
        }, ct);

    private static string Describe(Disk d) =>
        $"{d.Label} {d.Id}" + (d.Vm is { } vm && d.Role == DiskRole.Interior ? $" (was vm {vm})" : "");
}
