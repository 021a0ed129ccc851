using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

/// <summary>Moves a running VM's writes to the new leaf <paramref name="newActive"/>: the caller (a hypervisor driver)
/// creates that file in the storage folder as a qcow2 backed by the VM's current leaf, and returns once the guest
/// writes only to it. Throwing means the VM still writes to its old leaf and no file was left behind that it uses.</summary>
public delegate Task LiveDiskSwitch(DiskId newActive, CancellationToken ct);
