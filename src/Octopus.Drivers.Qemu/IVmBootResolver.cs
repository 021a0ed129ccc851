namespace Octopus.Drivers.Qemu;

/// <summary>The disk and boot source a VM runs from on this host.</summary>
/// <param name="Disk">Absolute path of the active qcow2 image in the shared storage folder.</param>
/// <param name="Boot">Kernel, initrd and command line.</param>
public sealed record VmBootMedia(string Disk, DirectKernelBoot Boot);

/// <summary>Finds (or makes) the disk and boot source of a VM about to be created. The disk tree decides where disks live;
/// this seam lets it do so without the QEMU driver knowing about chains.</summary>
public interface IVmBootResolver
{
    /// <summary>Returns the VM's media; throws <see cref="DriverException"/> saying what is missing.</summary>
    Task<VmBootMedia> ResolveAsync(VmRuntimeSpec spec, CancellationToken ct);
}
