using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>A driver that can show a VM's serial console output.</summary>
public interface IVmConsoleDriver
{
    /// <summary>The last <paramref name="maxBytes"/> bytes of the VM's serial console (UTF-8, invalid bytes replaced);
    /// empty when the VM has never run. Throws <see cref="DriverException"/> when the VM is unknown to the driver.</summary>
    Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct);
}
