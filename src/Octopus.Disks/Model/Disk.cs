using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Model;

/// <summary>One node of the differencing-disk tree, as the catalog stores it. Immutable: every transition returns a
/// new value and checks that the current role allows it, so an illegal move (writing to a snapshot, naming an image)
/// fails here and not in a service.</summary>
public sealed record Disk
{
    public required DiskId Id { get; init; }

    /// <summary>The backing file: the disk whose content this one records differences against. Null only for images.
    /// Garbage collection follows this link.</summary>
    public DiskId? Parent { get; init; }

    /// <summary>The disk this one was made from. It differs from <see cref="Parent"/> after a chain was flattened
    /// (the backing file skipped some ancestors); the snapshot tree a user sees follows it. Never a GC reference.</summary>
    public DiskId? Origin { get; init; }

    public required DiskRole Role { get; init; }
    public required UserId Owner { get; init; }

    /// <summary>The VM the disk belongs (or belonged) to; null for images.</summary>
    public VmId? Vm { get; init; }

    /// <summary>Set for images only.</summary>
    public ImageName? Image { get; init; }

    /// <summary>Set for snapshots and checkpoints only.</summary>
    public SnapshotName? Name { get; init; }

    /// <summary>Set for checkpoints only.</summary>
    public CheckpointInfo? Checkpoint { get; init; }

    /// <summary>The size the guest sees.</summary>
    public ByteSize VirtualSize { get; init; }

    /// <summary>What the file takes in the storage folder, as last measured.</summary>
    public ByteSize FileSize { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the disk was first seen unreachable from every root; the grace period counts from here. Null while reachable.</summary>
    public DateTimeOffset? UnreachableSince { get; init; }

    /// <summary>The catalog's optimistic-concurrency token: the row version this value was read at (0 for a disk no
    /// catalog has stored yet). A catalog that checks it (the store's) refuses to replace a row whose stored version is
    /// no longer this one, so two writers deciding on the same reading cannot overwrite each other; transitions carry it
    /// forward. Catalogs that have one writer (in memory, JSON file) leave it 0.</summary>
    public long Version { get; init; }

    public static Disk NewImage(DiskId id, ImageName name, UserId owner, ByteSize virtualSize, ByteSize fileSize, DateTimeOffset now) => new()
    {
        Id = id, Role = DiskRole.Image, Owner = owner, Image = name, VirtualSize = virtualSize, FileSize = fileSize, CreatedAt = now,
    };

    /// <summary>A new writable leaf for <paramref name="vm"/> whose content starts as <paramref name="from"/>'s.</summary>
    public static Disk NewActive(DiskId id, Disk from, VmId vm, UserId owner, DateTimeOffset now) => new()
    {
        Id = id, Parent = from.Id, Origin = from.Id, Role = DiskRole.Active, Owner = owner, Vm = vm,
        VirtualSize = from.VirtualSize, CreatedAt = now,
    };

    /// <summary>Freezes an active leaf under a user-visible name.</summary>
    public Disk FreezeAsSnapshot(SnapshotName name) => RequireActive("snapshot") with { Role = DiskRole.Snapshot, Name = name };

    /// <summary>Freezes an active leaf as a checkpoint a policy took.</summary>
    public Disk FreezeAsCheckpoint(SnapshotName name, CheckpointInfo info) =>
        RequireActive("checkpoint") with { Role = DiskRole.Checkpoint, Name = name, Checkpoint = info };

    /// <summary>Freezes an active leaf without a name (the fork point, or a leaf abandoned by a revert).</summary>
    public Disk FreezeUnnamed() => RequireActive("freeze") with { Role = DiskRole.Interior };

    /// <summary>Drops a root's reason to live: a deleted snapshot, checkpoint, image or VM disk. Its data stays as long
    /// as some live disk still backs onto it.</summary>
    public Disk Release() => Role switch
    {
        DiskRole.Interior => this,
        DiskRole.Image or DiskRole.Active or DiskRole.Snapshot or DiskRole.Checkpoint =>
            this with { Role = DiskRole.Interior, Name = null, Checkpoint = null, Image = Role == DiskRole.Image ? null : Image },
        _ => throw new InvalidOperationException($"unknown role {Role}"),
    };

    /// <summary>Points the backing file at another ancestor after a rebase; content is unchanged.</summary>
    public Disk RebasedOnto(DiskId newParent, ByteSize fileSize) => this with { Parent = newParent, FileSize = fileSize };

    public Disk WithFileSize(ByteSize size) => this with { FileSize = size };

    /// <summary>A new disk the guest sees as <paramref name="size"/>; disks grow, never shrink, because shrinking
    /// would cut off the end of the file system the parent holds.</summary>
    public Disk GrownTo(ByteSize? size, string field = "diskBytes") => size switch
    {
        null => this,
        { } s when s < VirtualSize => throw DomainException.Invalid(field,
            $"The disk cannot be {s}: it starts from a {VirtualSize} disk and disks can only grow. Ask for {VirtualSize} or more."),
        { } s => this with { VirtualSize = s },
    };

    public Disk MarkUnreachable(DateTimeOffset since) => UnreachableSince is null ? this with { UnreachableSince = since } : this;

    public Disk MarkReachable() => UnreachableSince is null ? this : this with { UnreachableSince = null };

    /// <summary>A short label for trees and reports: image name, snapshot name, or role.</summary>
    public string Label => Role switch
    {
        DiskRole.Image => $"image {Image}",
        DiskRole.Active => $"active disk of vm {Vm}",
        DiskRole.Snapshot => $"snapshot '{Name}' of vm {Vm}",
        DiskRole.Checkpoint => $"checkpoint '{Name}' of vm {Vm} (policy {Checkpoint?.Policy})",
        DiskRole.Interior => "interior",
        _ => Role.ToString(),
    };

    private Disk RequireActive(string what) => Role == DiskRole.Active
        ? this
        : throw DomainException.Conflict("disk.not-active", $"Cannot {what} disk {Id}: it is {Label}, and only a VM's active disk can be frozen.");
}
