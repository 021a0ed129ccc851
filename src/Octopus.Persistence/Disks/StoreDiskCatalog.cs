using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Disks;

/// <summary>The disk catalog in the store (tables <c>Disks</c> and <c>DiskIntents</c>). A change is one transaction that
/// touches only the rows it names, so its cost does not grow with the tree. Each row carries a version: replacing a
/// disk checks that the stored version is still the one it was read at (<see cref="Disk.Version"/>), so two writers
/// (two server processes, or a server and a tool) that decided on the same reading cannot silently overwrite each
/// other — the later one gets a conflict and nothing of its change is applied.
/// <para>Every change also raises the catalog's generation (the <see cref="SettingKeys.DiskCatalogGeneration"/> row's
/// version) in its transaction. A load reads that one row first and, when it equals the generation of the copy this
/// instance read or wrote last, answers with that copy instead of reading every disk and intent again: the store stays
/// the only state (a change by another process or replica raises the generation, and the next load reads the rows),
/// and a disk operation no longer costs a read of the whole catalog. The generation row also serialises writers on
/// PostgreSQL: each change locks it first.</para></summary>
public sealed class StoreDiskCatalog(IDbContextFactory<OctopusDbContext> contexts) : IDiskCatalog
{
    /// <summary>A catalog as stored at <see cref="Generation"/> (or later: a load reads the generation before the rows,
    /// so its rows may already hold the next change, which then reads as a different generation and is read again).</summary>
    /// <para>The disks are kept as a <see cref="DiskTree"/>, which a change by this instance advances in time proportional
    /// to the change; a load answers with that tree, so neither a load nor a change costs a pass over the whole catalog
    /// (the tree is a cache of the rows: a moved generation reads them again).</para>
    private sealed record Copy(long Generation, DiskTree Disks, IReadOnlyDictionary<DiskIntentId, DiskIntent> Intents)
    {
        public CatalogSnapshot Snapshot { get; } = new(Disks, [.. Intents.Values]);
    }

    private readonly Lock _sync = new();
    private Copy? _copy;

    public async ValueTask<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var generation = await GenerationAsync(db, cancellationToken);
        var copy = Volatile.Read(ref _copy);
        if (generation is { } g && copy?.Generation == g) return copy.Snapshot;

        var disks = await db.Disks.AsNoTracking().ToListAsync(cancellationToken);
        var intents = await db.DiskIntents.AsNoTracking().ToListAsync(cancellationToken);
        var read = new Copy(generation ?? 0, new DiskTree(disks.Select(ToDisk)), intents.Select(ToIntent).ToDictionary(i => i.Id));
        // No generation row: never changed through a catalog, so nothing to compare a later load with.
        if (generation is not null) Keep(read);
        return read.Snapshot;
    }

    /// <summary>Keeps <paramref name="read"/> unless a newer copy is already kept.</summary>
    private void Keep(Copy read)
    {
        lock (_sync)
        {
            if (_copy is null || _copy.Generation < read.Generation) _copy = read;
        }
    }

    private static Task<long?> GenerationAsync(OctopusDbContext db, CancellationToken ct) =>
        db.Settings.AsNoTracking().Where(s => s.Key == SettingKeys.DiskCatalogGeneration).Select(s => (long?)s.Version).FirstOrDefaultAsync(ct);

    public async ValueTask ApplyAsync(CatalogChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.IsEmpty) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        long generation;
        try
        {
            generation = await RaiseGenerationAsync(db, cancellationToken);
            if (change.Removals.Count > 0)
            {
                var ids = change.Removals.Select(r => r.Value).ToList();
                await db.Disks.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
            }
            if (change.End is { } end)
                await db.DiskIntents.Where(i => i.Id == end.Value).ExecuteDeleteAsync(cancellationToken);
            foreach (var disk in change.Upserts) Stage(db, disk);
            if (change.Begin is { } begin) db.DiskIntents.Add(FromIntent(begin));
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException e)
        {
            var id = e.Entries.Select(x => x.Entity).OfType<DiskRecord>().FirstOrDefault()?.Id;
            throw DomainException.Conflict("disk-catalog.conflict",
                $"Disk {id} was changed by another writer after this operation read it; nothing was applied. Retry the operation.");
        }
        catch (DbUpdateException e) when (e.Entries.Any(x => x.Entity is DiskRecord))
        {
            var id = e.Entries.Select(x => x.Entity).OfType<DiskRecord>().First().Id;
            throw DomainException.Conflict("disk-catalog.conflict",
                $"Disk {id} was written by another writer at the same time; nothing was applied. Retry the operation.");
        }
        catch (DbUpdateException e) when (e.Entries.Any(x => x.Entity is SettingRecord))
        {
            throw DomainException.Conflict("disk-catalog.conflict",
                "Another writer made the disk catalog's first change at the same time; nothing was applied. Retry the operation.");
        }
        Advance(generation, change);
    }

    /// <summary>Raises the catalog's generation by one in <paramref name="db"/>'s transaction (making its row at the first
    /// change) and returns the new value. On PostgreSQL the UPDATE holds the row's lock to the commit, so changes from
    /// several processes take their generations one after the other.</summary>
    private static async Task<long> RaiseGenerationAsync(OctopusDbContext db, CancellationToken ct)
    {
        var raised = await db.Settings.Where(s => s.Key == SettingKeys.DiskCatalogGeneration)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Version, s => s.Version + 1), ct);
        if (raised == 0)
        {
            // The first change: a concurrent first change from another process fails its insert and is refused as a conflict.
            db.Settings.Add(new SettingRecord { Key = SettingKeys.DiskCatalogGeneration, Value = "", Version = 1, UpdatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            return 1;
        }
        return await db.Settings.AsNoTracking().Where(s => s.Key == SettingKeys.DiskCatalogGeneration).Select(s => s.Version).SingleAsync(ct);
    }

    /// <summary>After this instance committed <paramref name="change"/> as <paramref name="generation"/>: the kept copy,
    /// if it was the generation before, becomes this one with the change applied as the store applied it (an upsert's
    /// version raised); otherwise another writer came between, and the next load reads the rows.</summary>
    private void Advance(long generation, CatalogChange change)
    {
        lock (_sync)
        {
            if (_copy is not { } before || before.Generation >= generation) return;
            if (before.Generation != generation - 1)
            {
                _copy = null;
                return;
            }
            var disks = before.Disks.With(change.Removals, change.Upserts.Select(d => ToDisk(FromDisk(d, d.Version + 1))));
            var intents = new Dictionary<DiskIntentId, DiskIntent>(before.Intents);
            if (change.End is { } end) intents.Remove(end);
            if (change.Begin is { } begin) intents[begin.Id] = ToIntent(FromIntent(begin));
            _copy = new Copy(generation, disks, intents);
        }
    }

    /// <summary>Imports disks and intents read elsewhere (the legacy JSON catalog) into <paramref name="db"/>'s pending
    /// changes, as new rows; the caller saves them in its own transaction.</summary>
    public static void StageImport(OctopusDbContext db, CatalogSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var d in snapshot.Disks) db.Disks.Add(FromDisk(d with { Version = 0 }, 1));
        foreach (var i in snapshot.Intents) db.DiskIntents.Add(FromIntent(i));
        // A process that read the catalog before the import must read it again.
        if (db.Settings.Find(SettingKeys.DiskCatalogGeneration) is { } row) row.Version++;
        else db.Settings.Add(new SettingRecord { Key = SettingKeys.DiskCatalogGeneration, Value = "", Version = 1, UpdatedAt = DateTimeOffset.UnixEpoch });
    }

    private static void Stage(OctopusDbContext db, Disk disk)
    {
        if (disk.Version == 0)
        {
            // Never stored: an insert. A row with this id already there means another writer made it (a conflict).
            db.Disks.Add(FromDisk(disk, 1));
            return;
        }
        var entry = db.Disks.Attach(FromDisk(disk, disk.Version));
        entry.State = EntityState.Modified;
        entry.Property(r => r.Version).OriginalValue = disk.Version;
        entry.Entity.Version = disk.Version + 1;
    }

    private static DiskRecord FromDisk(Disk d, long version) => new()
    {
        Id = d.Id.Value, ParentId = d.Parent?.Value, OriginId = d.Origin?.Value, Role = d.Role.ToString(), OwnerId = d.Owner.Value,
        VmId = d.Vm?.Value, Image = d.Image?.Value, Name = d.Name?.Value, CheckpointPolicy = d.Checkpoint?.Policy,
        CheckpointTakenAt = d.Checkpoint?.TakenAt, VirtualSizeBytes = d.VirtualSize.Bytes, FileSizeBytes = d.FileSize.Bytes,
        CreatedAt = d.CreatedAt, UnreachableSince = d.UnreachableSince, Version = version,
    };

    private static Disk ToDisk(DiskRecord r) => new()
    {
        Id = new DiskId(r.Id),
        Parent = r.ParentId is { } p ? new DiskId(p) : null,
        Origin = r.OriginId is { } o ? new DiskId(o) : null,
        Role = Enum.Parse<DiskRole>(r.Role),
        Owner = new UserId(r.OwnerId),
        Vm = r.VmId is { } v ? new VmId(v) : null,
        Image = r.Image is { } i ? ImageName.Parse(i) : null,
        Name = r.Name is { } n ? SnapshotName.Parse(n) : null,
        Checkpoint = r.CheckpointPolicy is { } cp ? new CheckpointInfo(cp, r.CheckpointTakenAt ?? r.CreatedAt) : null,
        VirtualSize = new ByteSize(r.VirtualSizeBytes),
        FileSize = new ByteSize(r.FileSizeBytes),
        CreatedAt = r.CreatedAt,
        UnreachableSince = r.UnreachableSince,
        Version = r.Version,
    };

    private static DiskIntentRecord FromIntent(DiskIntent i) => new()
    {
        Id = i.Id.Value, Kind = i.Kind.ToString(), Operation = i.Operation, StartedAt = i.StartedAt,
        Files = JsonSerializer.Serialize(i.Files.Select(f => f.Value).ToList()),
        RebaseDisk = i.Rebase?.Disk.Value, RebaseFrom = i.Rebase?.From.Value, RebaseTo = i.Rebase?.To.Value,
        LiveVm = i.LiveSwitch?.Vm.Value, LiveFrom = i.LiveSwitch?.From.Value, LiveTo = i.LiveSwitch?.To.Value,
        LiveSnapshot = i.LiveSwitch?.Snapshot?.Value,
    };

    private static DiskIntent ToIntent(DiskIntentRecord r) => new(
        new DiskIntentId(r.Id), Enum.Parse<DiskIntentKind>(r.Kind), r.Operation, r.StartedAt,
        (JsonSerializer.Deserialize<List<Guid>>(r.Files) ?? []).Select(f => new DiskId(f)).ToList(),
        r is { RebaseDisk: { } d, RebaseFrom: { } f, RebaseTo: { } t } ? new RebaseStep(new DiskId(d), new DiskId(f), new DiskId(t)) : null,
        r is { LiveVm: { } lv, LiveFrom: { } lf, LiveTo: { } lt }
            ? new LiveSwitchStep(new VmId(lv), new DiskId(lf), new DiskId(lt), r.LiveSnapshot is { } ls ? SnapshotName.Parse(ls) : null) : null);
}
