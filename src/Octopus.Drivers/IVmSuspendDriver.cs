using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>A driver that can suspend a running VM (its vCPUs stop, its memory and devices stay as they are, so it
/// uses no CPU) and resume it exactly where it was. QEMU: <c>stop</c> / <c>cont</c>.</summary>
public interface IVmSuspendDriver
{
    /// <summary>Stops the VM's vCPUs. Idempotent for an already suspended VM; throws <see cref="DriverException"/> when the
    /// VM is not running on this driver.</summary>
    Task SuspendAsync(VmId vm, CancellationToken ct);

    /// <summary>Resumes a suspended VM. Idempotent for a running VM.</summary>
    Task ResumeAsync(VmId vm, CancellationToken ct);
}
