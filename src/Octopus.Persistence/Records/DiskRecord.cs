namespace Octopus.Persistence.Records;

/// <summary>One node of the differencing-disk tree as the store keeps it (table <c>Disks</c>); the disk library's
/// <c>Disk</c> is the domain value, this is its row. Columns are plain values so the same table works on every
/// provider. <see cref="Version"/> is the optimistic-concurrency token: every update bumps it and checks the old one.</summary>
public sealed class DiskRecord
{
    public Guid Id { get; set; }
    public Guid? ParentId { get; set; }
    public Guid? OriginId { get; set; }
    /// <summary>The role's name (<c>Image</c>, <c>Active</c>, <c>Snapshot</c>, <c>Checkpoint</c>, <c>Interior</c>).</summary>
    public string Role { get; set; } = "";
    public Guid OwnerId { get; set; }
    public Guid? VmId { get; set; }
    public string? Image { get; set; }
    public string? Name { get; set; }
    public string? CheckpointPolicy { get; set; }
    public DateTimeOffset? CheckpointTakenAt { get; set; }
    public long VirtualSizeBytes { get; set; }
    public long FileSizeBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UnreachableSince { get; set; }
    public long Version { get; set; }
}
