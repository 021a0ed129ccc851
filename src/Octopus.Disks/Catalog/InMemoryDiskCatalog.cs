using Octopus.Disks.Model;

namespace Octopus.Disks.Catalog;

/// <summary>A catalog in memory: for tests and the simulator. Survives a simulated crash because the test keeps the
/// instance and builds new services over it, exactly as a restarted server re-opens its database.</summary>
public sealed class InMemoryDiskCatalog : IDiskCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DiskId, Disk> _disks = [];
    private readonly Dictionary<DiskIntentId, DiskIntent> _intents = [];

    public ValueTask<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return ValueTask.FromResult(new CatalogSnapshot([.. _disks.Values], [.. _intents.Values]));
    }

    public ValueTask ApplyAsync(CatalogChange change, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var d in change.Upserts) _disks[d.Id] = d;
            foreach (var id in change.Removals) _disks.Remove(id);
            if (change.Begin is { } b) _intents[b.Id] = b;
            if (change.End is { } e) _intents.Remove(e);
        }
        return ValueTask.CompletedTask;
    }
}
