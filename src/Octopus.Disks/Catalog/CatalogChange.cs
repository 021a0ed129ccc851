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

/// <summary>Everything a catalog holds at one moment. Made either from the rows (the tree is then built once, on first
/// use) or from a tree a catalog keeps up to date (the row list is then made only if someone asks for it), so a caller
/// that needs only the tree does not pay for a copy of every row, nor for building the tree again.</summary>
public sealed class CatalogSnapshot
{
    private IReadOnlyList<Disk>? _disks;
    private DiskTree? _tree;

    public CatalogSnapshot(IReadOnlyList<Disk> disks, IReadOnlyList<DiskIntent> intents)
    {
        _disks = disks ?? throw new ArgumentNullException(nameof(disks));
        Intents = intents ?? throw new ArgumentNullException(nameof(intents));
    }

    public CatalogSnapshot(DiskTree tree, IReadOnlyList<DiskIntent> intents)
    {
        _tree = tree ?? throw new ArgumentNullException(nameof(tree));
        Intents = intents ?? throw new ArgumentNullException(nameof(intents));
    }

    /// <summary>Every disk row (made from the tree on first use when the snapshot was made from one).</summary>
    public IReadOnlyList<Disk> Disks => _disks ??= [.. _tree!.All];

    public IReadOnlyList<DiskIntent> Intents { get; }

    /// <summary>The rows as a tree; the same instance on every call.</summary>
    public DiskTree Tree() => _tree ??= new DiskTree(_disks!);
}
