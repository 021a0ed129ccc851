using Octopus.Disks.Model;
using Octopus.Domain.Units;

namespace Octopus.Disks.Backends;

/// <summary>What a disk file looks like to the backend.</summary>
/// <param name="Parent">The backing file's disk, or null for a standalone image.</param>
public sealed record StoredDisk(DiskId Id, DiskId? Parent, ByteSize VirtualSize, ByteSize FileSize);

/// <summary>A file in the storage folder named after a disk id, with what the collector needs to judge it.</summary>
public sealed record StoredFile(DiskId Id, ByteSize Size, DateTimeOffset Modified);

/// <summary>The files behind the disk tree. Implementations hold no tree logic: the services decide, a backend only
/// makes, rebases, inspects and removes files. Every method is idempotent where the doc says so, because the recovery
/// pass may repeat a step a crash interrupted.</summary>
public interface IDiskBackend
{
    /// <summary>Makes an empty standalone disk of the given virtual size (a blank image).</summary>
    Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken cancellationToken = default);

    /// <summary>Converts a user's file (qcow2, raw, vpc, vhdx; probed when <paramref name="format"/> is null) into a
    /// standalone store disk. The source is only read.</summary>
    Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken cancellationToken = default);

    /// <summary>Makes an empty differencing disk backed by <paramref name="parent"/>; never copies the parent's data.
    /// <paramref name="virtualSize"/> grows the child beyond the parent (null: the parent's size). Returns the file's size.</summary>
    Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken cancellationToken = default);

    /// <summary>Re-points <paramref name="id"/>'s backing file at <paramref name="newParent"/> (an ancestor), copying
    /// into it whatever the skipped disks held so its content is unchanged. Repeating it is harmless. Returns the new size.</summary>
    Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken cancellationToken = default);

    /// <summary>Reads a disk's header, or null when there is no such file.</summary>
    Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken cancellationToken = default);

    /// <summary>The whole backing chain as the files record it, the disk first and the base last.</summary>
    Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken cancellationToken = default);

    /// <summary>Removes a disk's file; does nothing when it is already gone.</summary>
    Task DeleteAsync(DiskId id, CancellationToken cancellationToken = default);

    /// <summary>Every file in the storage folder named after a disk id (others are not Octopus's and are ignored).</summary>
    Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken cancellationToken = default);
}
