namespace Octopus.Contracts;

/// <summary>Fork a VM: the new VM's disk is a new child of the source's current state. Geometry values left out are
/// the source's.</summary>
public sealed record VmForkRequest(string Name, int? Cores = null, long? MemoryBytes = null, long? DiskBytes = null);

/// <summary>Take a named snapshot of a VM's disk.</summary>
public sealed record SnapshotRequest(string Name);

/// <summary>Options of a revert. <see cref="Restart"/>: a running VM is stopped, reverted and started again as one
/// operation (without it, only a stopped VM may be reverted).</summary>
public sealed record RevertRequest(bool Restart = false);

/// <summary>A VM's disk: the writable leaf it runs on and how deep its backing chain is.</summary>
public sealed record VmDiskDto(string Vm, string ActiveDisk, int ChainDepth, long VirtualBytes, long FileBytes);

/// <summary>One snapshot in a VM's snapshot tree (flattened: <see cref="Parent"/> names the snapshot it was taken after).</summary>
public sealed record SnapshotDto(string Name, string? Parent, string Disk, DateTimeOffset CreatedAt, bool IsCheckpoint);

/// <summary>A VM's snapshots; <see cref="CurrentAfter"/> is the snapshot the VM's current state descends from (null: none).</summary>
public sealed record SnapshotTreeDto(string Vm, IReadOnlyList<SnapshotDto> Snapshots, string? CurrentAfter, string Text);

/// <summary>One disk of the tree, with what keeps it alive.</summary>
public sealed record DiskNodeDto(string Id, string? Parent, string Role, string Label, string? Vm, long FileBytes, bool FileMissing,
    IReadOnlyList<string> KeptAliveBy, int Depth);

/// <summary>The disk tree (or the part of it a user may see), as rows and as the CLI's text.</summary>
public sealed record DiskTreeDto(int DiskCount, long TotalBytes, IReadOnlyList<DiskNodeDto> Disks, string Text);

/// <summary>What a garbage collection removed (or, for a dry run, would remove). <see cref="ReleasedVmDisks"/>: VMs
/// that no longer exist but still had an active disk, released by this run (they wait out the grace period).</summary>
public sealed record GcReportDto(bool DryRun, int Collected, long Bytes, int Pending, int MissingFiles, string Text, int ReleasedVmDisks = 0);

/// <summary>Import an image file that is already on the server, under one of its import folders (default
/// <c>DATA/import</c>). <see cref="Format"/>: qcow2, raw, vpc (vhd) or vhdx; left out, qemu-img detects it.</summary>
public sealed record ImageImportRequest(string Name, string File, string? Format = null, bool CloudInit = false);
