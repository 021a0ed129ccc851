using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>A driver that can move a running VM's writes to a new overlay disk without stopping the guest
/// (QEMU: blockdev-snapshot-sync). The disk tree uses it to snapshot and fork running VMs.</summary>
public interface ILiveDiskDriver
{
    /// <summary>Freezes the VM's current disk and continues on <paramref name="newActiveDisk"/>: an absolute path to a
    /// file that must not exist yet; the driver creates it as a qcow2 whose backing file is the current disk. Returns
    /// once the guest writes to the new file; afterwards the old file is never written again. Throws
    /// <see cref="DriverException"/> when the VM is not running on this driver or the switch fails (the VM then keeps
    /// writing to its old disk).</summary>
    Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct);
}
