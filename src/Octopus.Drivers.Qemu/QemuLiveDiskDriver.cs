using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu;

/// <summary><see cref="ILiveDiskDriver"/> over one host's <see cref="QemuHostDriver"/>: the switch is
/// <see cref="QemuHostDriver.SnapshotDiskAsync"/> (blockdev-snapshot-sync on a running guest, <c>qemu-img create -b</c>
/// on a stopped one). Any failure is a <see cref="DriverException"/>; QEMU then keeps the guest on its old disk.</summary>
public sealed class QemuLiveDiskDriver(QemuHostDriver driver) : ILiveDiskDriver
{
    public async Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct)
    {
        try
        {
            await driver.SnapshotDiskAsync(vm, newActiveDisk, ct);
        }
        catch (Exception e) when (e is not DriverException and not OperationCanceledException)
        {
            throw new DriverException($"switching VM {vm} to the new disk {newActiveDisk} failed: {e.Message}", e);
        }
    }
}
