namespace Octopus.Persistence.Records;

/// <summary>A pending entry of the disk library's intent journal (table <c>DiskIntents</c>): written before a disk
/// operation's first side effect and deleted in the same transaction as its last. <see cref="Files"/> is a JSON array
/// of disk ids; the rebase and live-switch steps are flattened into nullable columns.</summary>
public sealed class DiskIntentRecord
{
    public Guid Id { get; set; }
    public string Kind { get; set; } = "";
    public string Operation { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public string Files { get; set; } = "[]";
    public Guid? RebaseDisk { get; set; }
    public Guid? RebaseFrom { get; set; }
    public Guid? RebaseTo { get; set; }
    public Guid? LiveVm { get; set; }
    public Guid? LiveFrom { get; set; }
    public Guid? LiveTo { get; set; }
    public string? LiveSnapshot { get; set; }
}
