using Octopus.Disks.Model;
using Octopus.Domain.Units;

namespace Octopus.Disks.Collection;

/// <summary>Why the collector treated a file or row as it did.</summary>
public enum GcReason
{
    /// <summary>A catalog disk no root reaches, unreachable for longer than the grace period.</summary>
    Unreachable,
    /// <summary>A file named like a disk that the catalog does not know, older than the grace period (a crash left it).</summary>
    OrphanFile,
}

/// <summary>One disk or file the collector deleted (or, in a dry run, would delete).</summary>
public sealed record GcItem(DiskId Id, GcReason Reason, ByteSize Size, string Description);

/// <summary>A disk or file that will be collected once its grace period ends.</summary>
public sealed record GcPending(DiskId Id, GcReason Reason, DateTimeOffset DueAt, string Description);

/// <summary>A catalog row whose file is gone: reported so an operator restores the file or deletes the row; the
/// collector never drops it silently, because a live VM may depend on it.</summary>
/// <param name="IsReachable">True when a root still needs it: some VM or snapshot is broken until it is restored.</param>
public sealed record MissingFile(Disk Disk, bool IsReachable);

/// <summary>What one collection did (or would do, for a dry run), with byte counts.</summary>
public sealed record GcReport(
    bool DryRun,
    DateTimeOffset At,
    int DisksMarked,
    IReadOnlyList<GcItem> Collected,
    IReadOnlyList<GcPending> Pending,
    IReadOnlyList<MissingFile> Missing)
{
    public ByteSize BytesFreed => Collected.Aggregate(ByteSize.Zero, (s, i) => s + i.Size);
}
