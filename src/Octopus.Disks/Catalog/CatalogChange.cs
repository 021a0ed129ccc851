using Octopus.Disks.Model;

namespace Octopus.Disks.Catalog;

/// <summary>One atomic catalog write: rows to insert or replace, rows to remove, and at most one journal entry to
/// open and one to close. A catalog applies all of it or none of it; the crash-safety argument rests on that.</summary>
public sealed record CatalogChange
{
    public IReadOnlyList<Disk> Upserts { get; init; } = [];
    public IReadOnlyList<DiskId> Removals { get; init; } = [];
    public DiskIntent? Begin { get; init; }
    public DiskIntentId? End { get; init; }

    public bool IsEmpty => Upserts.Count == 0 && Removals.Count == 0 && Begin is null && End is null;

    public static CatalogChange BeginIntent(DiskIntent intent) => new() { Begin = intent };
}

/// <summary>Everything a catalog holds at one moment.</summary>
public sealed record CatalogSnapshot(IReadOnlyList<Disk> Disks, IReadOnlyList<DiskIntent> Intents)
{
    public DiskTree Tree() => new(Disks);
}
