using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu;

/// <summary>The simplest disk layout on shared storage, for tests, benchmarks and a one-node lab without the server's
/// disk tree: images at {storage}/images/{image}.qcow2, each VM's disk a qcow2 child of its image at
/// {storage}/disks/{vm-id}.qcow2 (created on first use, reused afterwards), and one direct-kernel boot source for every VM.
/// It builds the complete <see cref="VmRuntimeSpec"/> a node driver is given, as the server's RuntimeSpecs does.</summary>
public sealed class SharedStorageLayout(string storageDir, DirectKernelBoot boot, QemuImg qemuImg)
{
    public string StorageDir { get; } = Path.GetFullPath(storageDir);

    public string ImagePath(ImageName image) => Path.Combine(StorageDir, "images", image.Value + ".qcow2");

    public string DiskPath(VmId vm) => Path.Combine(StorageDir, "disks", vm.Value + ".qcow2");

    /// <summary>The VM's runtime spec, its disk made first when it has none; throws <see cref="DriverException"/> when the
    /// image is missing.</summary>
    public async Task<VmRuntimeSpec> SpecForAsync(VmId id, string name, Geometry geometry, CancellationToken ct)
    {
        var disk = DiskPath(id);
        var image = ImagePath(geometry.Image);
        if (!File.Exists(disk))
        {
            if (!File.Exists(image))
                throw new DriverException($"image '{geometry.Image}' is not in shared storage (expected {image}); import it first.");
            Directory.CreateDirectory(Path.GetDirectoryName(disk)!);
            await qemuImg.CreateChildAsync(image, disk, ct);
        }
        return new VmRuntimeSpec(id, name, geometry, [new DiskAttachment(disk, [disk, image], false)], [],
            new BootMedia(boot.Kernel, boot.Initrd, boot.Append), ConsoleSpec.SerialOnly);
    }
}
