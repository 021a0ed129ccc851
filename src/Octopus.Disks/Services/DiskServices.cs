using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Collection;
using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

/// <summary>The disk services over one catalog and one backend, sharing one operation gate. The server registers
/// this as a singleton and calls <see cref="Recovery"/> once at start-up, before anything else.</summary>
public sealed class DiskServices
{
    private DiskServices(DiskStore store)
    {
        Tree = new DiskTreeService(store);
        Checkpoints = new CheckpointService(store, Tree);
        Flattener = new ChainFlattener(store);
        Collector = new DiskCollector(store);
        Recovery = new DiskRecovery(store);
        Queries = new DiskTreeQueries(store);
    }

    public DiskTreeService Tree { get; }
    public CheckpointService Checkpoints { get; }
    public ChainFlattener Flattener { get; }
    public DiskCollector Collector { get; }
    public DiskRecovery Recovery { get; }
    public DiskTreeQueries Queries { get; }

    /// <param name="newId">Source of new disk ids; inject a seeded one for reproducible tests. Default: <see cref="DiskId.New"/>.</param>
    /// <param name="loggers">Where operations, collections and recoveries are logged. Default: nowhere.</param>
    public static DiskServices Create(
        IDiskCatalog catalog, IDiskBackend backend, TimeProvider time, DiskTreeOptions? options = null, Func<DiskId>? newId = null, ILoggerFactory? loggers = null) =>
        new(new DiskStore(catalog, backend, time, (options ?? new DiskTreeOptions()).Validate(), newId ?? DiskId.New, loggers ?? NullLoggerFactory.Instance));
}
