using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Application.Disks;

namespace Octopus.Application.Control;

/// <summary>The operation runner's step that moves a running VM onto a new disk leaf through its node driver
/// (<see cref="INodeDriver.SwitchDiskAsync"/>), as the disk tree's live snapshot and fork ask for it.</summary>
public static class DiskSwitchStep
{
    /// <summary>The switch for <paramref name="vm"/> when it needs its driver (see <see cref="LiveDiskSwitching.NeedsDriverFor"/>),
    /// or null when the disk tree can work on the files directly. A driver failure becomes a conflict saying nothing changed.</summary>
    public static LiveDiskSwitch? For(Vm vm, LiveDiskSwitching switching, INodeDriverResolver nodes, StorageSettings storage)
    {
        if (!switching.NeedsDriverFor(vm)) return null;
        var host = vm.HostId!.Value;
        return async (id, ct) =>
        {
            try { await nodes.For(host).SwitchDiskAsync(vm.Id, Path.Combine(storage.Folder, id.FileName), ct); }
            catch (DriverException e)
            {
                throw DomainException.Conflict("vm.disk-switch-failed",
                    $"VM '{vm.Name}' is running and its driver could not move it to a new disk: {e.Message}. Nothing changed: the VM keeps its disk.");
            }
        };
    }
}
