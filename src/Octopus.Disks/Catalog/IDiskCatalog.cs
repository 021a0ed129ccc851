namespace Octopus.Disks.Catalog;

/// <summary>Where the disk tree and the intent journal are kept. The server implements it over its database; this
/// library ships an in-memory one (tests, simulation) and a JSON file (single node, tools).</summary>
public interface IDiskCatalog
{
    /// <summary>Reads every disk row and every pending intent. The result is a copy the caller may keep.</summary>
    ValueTask<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies the whole change atomically (one transaction, or one write-and-rename): after a crash either all
    /// of it is visible or none of it. Upserting an existing id replaces the row; removing an absent id is a no-op.</summary>
    ValueTask ApplyAsync(CatalogChange change, CancellationToken cancellationToken = default);
}
