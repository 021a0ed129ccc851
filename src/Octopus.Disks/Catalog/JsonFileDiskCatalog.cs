using System.Text.Json;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Catalog;

/// <summary>A durable catalog in one JSON file. Every change rewrites a temporary file beside it, flushes it to disk
/// and renames it over the old one, so a crash leaves either the old or the new catalog, never half of one.</summary>
public sealed class JsonFileDiskCatalog : IDiskCatalog
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="path">The catalog file; created on first write. Keep it outside the storage folder or beside it:
    /// the collector only touches files named after disk ids.</param>
    public JsonFileDiskCatalog(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw DomainException.Invalid("path", "The disk catalog needs a file path.");
        _path = Path.GetFullPath(path);
    }

    public async ValueTask<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var doc = await ReadAsync(cancellationToken);
            return new CatalogSnapshot(doc.Disks.Select(ToDisk).ToList(), doc.Intents.Select(ToIntent).ToList());
        }
        finally { _gate.Release(); }
    }

    public async ValueTask ApplyAsync(CatalogChange change, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var doc = await ReadAsync(cancellationToken);
            var disks = doc.Disks.ToDictionary(d => d.Id);
            foreach (var d in change.Upserts) disks[d.Id.Value] = FromDisk(d);
            foreach (var id in change.Removals) disks.Remove(id.Value);
            var intents = doc.Intents.Where(i => change.End is not { } e || i.Id != e.Value).ToList();
            if (change.Begin is { } b) intents.Add(FromIntent(b));
            await WriteAsync(new CatalogDocument(disks.Values.ToList(), intents), cancellationToken);
        }
        finally { _gate.Release(); }
    }

    private async Task<CatalogDocument> ReadAsync(CancellationToken ct)
    {
        if (!File.Exists(_path)) return new CatalogDocument([], []);
        await using var stream = File.OpenRead(_path);
        try
        {
            return await JsonSerializer.DeserializeAsync<CatalogDocument>(stream, Json, ct) ?? new CatalogDocument([], []);
        }
        catch (JsonException e)
        {
            throw new DomainException(ErrorKind.Conflict, "disk-catalog.unreadable",
                $"The disk catalog '{_path}' is not valid JSON ({e.Message}); restore it from a backup or move it away to start empty.");
        }
    }

    private async Task WriteAsync(CatalogDocument doc, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(dir);
        var tmp = _path + ".tmp";
        await using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(stream, doc, Json, ct);
            await stream.FlushAsync(ct);
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, _path, overwrite: true);
    }

    private sealed record CatalogDocument(List<DiskRow> Disks, List<IntentRow> Intents);

    private sealed record DiskRow(
        Guid Id, Guid? Parent, Guid? Origin, DiskRole Role, Guid Owner, Guid? Vm, string? Image, string? Name,
        string? CheckpointPolicy, DateTimeOffset? CheckpointTakenAt, long VirtualSize, long FileSize,
        DateTimeOffset CreatedAt, DateTimeOffset? UnreachableSince);

    private sealed record IntentRow(
        Guid Id, DiskIntentKind Kind, string Operation, DateTimeOffset StartedAt, List<Guid> Files,
        Guid? RebaseDisk, Guid? RebaseFrom, Guid? RebaseTo,
        Guid? LiveVm = null, Guid? LiveFrom = null, Guid? LiveTo = null, string? LiveSnapshot = null);

    private static DiskRow FromDisk(Disk d) => new(
        d.Id.Value, d.Parent?.Value, d.Origin?.Value, d.Role, d.Owner.Value, d.Vm?.Value, d.Image?.Value, d.Name?.Value,
        d.Checkpoint?.Policy, d.Checkpoint?.TakenAt, d.VirtualSize.Bytes, d.FileSize.Bytes, d.CreatedAt, d.UnreachableSince);

    private static Disk ToDisk(DiskRow r) => new()
    {
        Id = new DiskId(r.Id),
        Parent = r.Parent is { } p ? new DiskId(p) : null,
        Origin = r.Origin is { } o ? new DiskId(o) : null,
        Role = r.Role,
        Owner = new UserId(r.Owner),
        Vm = r.Vm is { } v ? new VmId(v) : null,
        Image = r.Image is { } i ? ImageName.Parse(i) : null,
        Name = r.Name is { } n ? SnapshotName.Parse(n) : null,
        Checkpoint = r.CheckpointPolicy is { } cp ? new CheckpointInfo(cp, r.CheckpointTakenAt ?? r.CreatedAt) : null,
        VirtualSize = new ByteSize(r.VirtualSize),
        FileSize = new ByteSize(r.FileSize),
        CreatedAt = r.CreatedAt,
        UnreachableSince = r.UnreachableSince,
    };

    private static IntentRow FromIntent(DiskIntent i) => new(
        i.Id.Value, i.Kind, i.Operation, i.StartedAt, i.Files.Select(f => f.Value).ToList(),
        i.Rebase?.Disk.Value, i.Rebase?.From.Value, i.Rebase?.To.Value,
        i.LiveSwitch?.Vm.Value, i.LiveSwitch?.From.Value, i.LiveSwitch?.To.Value, i.LiveSwitch?.Snapshot?.Value);

    private static DiskIntent ToIntent(IntentRow r) => new(
        new DiskIntentId(r.Id), r.Kind, r.Operation, r.StartedAt, r.Files.Select(f => new DiskId(f)).ToList(),
        r is { RebaseDisk: { } d, RebaseFrom: { } f, RebaseTo: { } t } ? new RebaseStep(new DiskId(d), new DiskId(f), new DiskId(t)) : null,
        r is { LiveVm: { } lv, LiveFrom: { } lf, LiveTo: { } lt }
            ? new LiveSwitchStep(new VmId(lv), new DiskId(lf), new DiskId(lt), r.LiveSnapshot is { } ls ? SnapshotName.Parse(ls) : null) : null);
}
