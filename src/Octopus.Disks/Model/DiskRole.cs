namespace Octopus.Disks.Model;

/// <summary>What a disk is for. The first four are live roots for garbage collection; an interior disk lives only
/// while something below it needs it as a backing file.</summary>
public enum DiskRole
{
    /// <summary>A base image: read-only, the root of a tree, named and imported by an administrator.</summary>
    Image,
    /// <summary>A VM's active leaf: the only writable disk; exactly one per VM.</summary>
    Active,
    /// <summary>A frozen disk with a user-visible name, taken by the user.</summary>
    Snapshot,
    /// <summary>A frozen disk taken by a policy, with retention metadata; otherwise a snapshot.</summary>
    Checkpoint,
    /// <summary>A frozen disk nobody names (a fork point, a deleted snapshot, a deleted VM's last leaf).</summary>
    Interior,
}

public static class DiskRoleExtensions
{
    /// <summary>Whether a disk of this role is a garbage-collection root by itself.</summary>
    public static bool IsRoot(this DiskRole role) => role switch
    {
        DiskRole.Image or DiskRole.Active or DiskRole.Snapshot or DiskRole.Checkpoint => true,
        DiskRole.Interior => false,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown disk role"),
    };

    /// <summary>Whether the disk's content may still change; only an active leaf is written.</summary>
    public static bool IsWritable(this DiskRole role) => role == DiskRole.Active;

    /// <summary>Snapshots and checkpoints: what a user can list and revert to.</summary>
    public static bool IsVisibleSnapshot(this DiskRole role) => role is DiskRole.Snapshot or DiskRole.Checkpoint;
}
