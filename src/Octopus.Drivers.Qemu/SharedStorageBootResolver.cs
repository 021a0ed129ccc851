using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu;

/// <summary>The simplest disk layout on shared storage: images at {storage}/images/{image}.qcow2, each VM's disk a qcow2
/// child of its image at {storage}/disks/{vm-id}.qcow2 (created on first use, reused afterwards), and one direct-kernel
/// boot source for every VM (the test guest's kernel and initramfs).</summary>
public sealed class SharedStorageBootResolver(string storageDir, DirectKernelBoot boot, QemuImg qemuImg) : IVmBootResolver
{
    public string StorageDir { get; } = Path.GetFullPath(storageDir);

    public string ImagePath(Domain.Vms.ImageName image) => Path.Combine(StorageDir, "images", image.Value + ".qcow2");

    public string DiskPath(Domain.Vms.VmId vm) => Path.Combine(StorageDir, "disks", vm.Value + ".qcow2");

    public async Task<VmBootMedia> ResolveAsync(VmRuntimeSpec spec, CancellationToken ct)
    {
        var disk = DiskPath(spec.Id);
        if (!File.Exists(disk))
        {
            var image = ImagePath(spec.Geometry.Image);
            if (!File.Exists(image))
                throw new DriverException($"image '{spec.Geometry.Image}' is not in shared storage (expected {image}); import it first.");
            Directory.CreateDirectory(Path.GetDirectoryName(disk)!);
            await qemuImg.CreateChildAsync(image, disk, ct);
        }
        return new VmBootMedia(disk, boot);
    }
}
