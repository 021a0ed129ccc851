using Octopus.Disks.Model;

namespace Octopus.Disks.Catalog;

/// <summary>Identity of an intent-journal entry.</summary>
public readonly record struct DiskIntentId(Guid Value)
{
    public static DiskIntentId New() => new(Guid.CreateVersion7());
    public override string ToString() => Value.ToString();
}

/// <summary>What a half-done operation was doing, so the recovery pass knows which way to finish it.</summary>
public enum DiskIntentKind
{
    /// <summary>New files are being made for rows not yet committed; recovery rolls back by deleting the files.</summary>
    CreateFiles,
    /// <summary>One existing disk is being rebased onto another ancestor; recovery asks the backend which parent
    /// the file really has and makes the catalog agree (content is the same either way).</summary>
    Rebase,
    /// <summary>Rows are already gone and their files are being unlinked; recovery rolls forward by unlinking the rest.</summary>
    DeleteFiles,
    /// <summary>A running VM is being switched to a new leaf that its driver creates (live snapshot or fork). Recovery
    /// rolls forward when the new leaf's file exists and backs onto the old leaf (the VM may be writing to it), and
    /// rolls back like <see cref="CreateFiles"/> otherwise.</summary>
    LiveSwitch,
}

/// <summary>A journal entry written before an operation's first side effect and removed in the same atomic catalog
/// change as its last. A pending entry on start-up means the server stopped in between.</summary>
/// <param name="Operation">What the user or collector asked for, for the recovery report.</param>
/// <param name="Files">The files this step creates (<see cref="DiskIntentKind.CreateFiles"/>) or unlinks
/// (<see cref="DiskIntentKind.DeleteFiles"/>); the collector never treats them as orphans while the entry is pending.</param>
/// <param name="LiveSwitch">For <see cref="DiskIntentKind.LiveSwitch"/>: which VM moves from which leaf to which.</param>
/// <param name="Rebase">For <see cref="DiskIntentKind.Rebase"/>: which disk moves from which backing file to which.</param>
public sealed record DiskIntent(
    DiskIntentId Id,
    DiskIntentKind Kind,
    string Operation,
    DateTimeOffset StartedAt,
    IReadOnlyList<DiskId> Files,
    RebaseStep? Rebase = null,
    LiveSwitchStep? LiveSwitch = null);

/// <summary>A backing-file change: <paramref name="Disk"/> moves from <paramref name="From"/> to the ancestor <paramref name="To"/>.</summary>
public sealed record RebaseStep(DiskId Disk, DiskId From, DiskId To);

/// <summary>A running VM's switch from its leaf <paramref name="From"/> to the new leaf <paramref name="To"/> (made by the
/// driver); <paramref name="Snapshot"/> is the name the frozen leaf gets (null: a fork point, unnamed).</summary>
public sealed record LiveSwitchStep(Domain.Vms.VmId Vm, DiskId From, DiskId To, SnapshotName? Snapshot);
