using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>Where a migrating VM's state must be sent: returned by the destination's
/// <see cref="INodeDriver.PrepareIncomingAsync"/> and handed to the source's <see cref="INodeDriver.MigrateAsync"/>.</summary>
/// <param name="Host">The destination node.</param>
/// <param name="Uri">Driver-specific address of the waiting VM (QEMU: "tcp:ADDR:PORT").</param>
public sealed record MigrationTarget(HostId Host, string Uri);

/// <summary>One node's hypervisor. The operation runner is its only caller and replays a step after a crash, so every
/// method is idempotent: asking for a state that already holds succeeds without doing anything. A refusal or failure is a
/// <see cref="DriverException"/> whose message is fit for the VM's owner; a VM the node does not know is such a refusal,
/// except for <see cref="DeleteAsync"/> (success) and <see cref="MigrateAsync"/> (see there).</summary>
public interface INodeDriver
{
    /// <summary>Short name shown in health output, e.g. "simulated", "qemu".</summary>
    string Name { get; }

    /// <summary>Defines the VM on this node and boots it. A VM this node already has is booted if it is stopped (on the
    /// spec's disk) and otherwise left as it is.</summary>
    Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct);

    /// <summary>Boots a stopped VM on the spec's disk (a snapshot or revert may have moved it while it was stopped), lets a
    /// suspended one run again; nothing when it runs.</summary>
    Task StartAsync(VmRuntimeSpec spec, CancellationToken ct);

    /// <summary>Graceful shutdown, forced after the driver's own timeout; the VM stays defined. Nothing when stopped.</summary>
    Task StopAsync(VmId vm, CancellationToken ct);

    /// <summary>Resets a running VM (the guest boots again). A replay resets it again, which a guest survives.</summary>
    Task RebootAsync(VmId vm, CancellationToken ct);

    /// <summary>Removes the VM from this node, running or not, including a VM waiting for an incoming migration (this is
    /// the compensation of <see cref="PrepareIncomingAsync"/>). Never deletes disks: the disk tree owns them. Deleting a VM
    /// the node does not know succeeds.</summary>
    Task DeleteAsync(VmId vm, CancellationToken ct);

    /// <summary>Stops the VM's vCPUs; memory and devices stay (QEMU: stop). Nothing when already suspended; refused when
    /// the VM is not running.</summary>
    Task SuspendAsync(VmId vm, CancellationToken ct);

    /// <summary>Lets a suspended VM run again (QEMU: cont). Nothing when it runs; refused when it is stopped.</summary>
    Task ResumeAsync(VmId vm, CancellationToken ct);

    /// <summary>Freezes the VM's current disk and continues on <paramref name="newActiveDisk"/>, an absolute path to a new
    /// qcow2 the driver creates with the current disk as backing file (QEMU: blockdev-snapshot-sync on a running guest,
    /// qemu-img on a stopped one). Afterwards the old file is never written again. Nothing when the VM already writes to
    /// <paramref name="newActiveDisk"/>; refused when that file exists but is not the VM's disk.</summary>
    Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct);

    /// <summary>On the destination: makes the VM of <paramref name="spec"/> wait here for its running state and says
    /// where to send it. Asked again while it waits, returns the same target. <see cref="DeleteAsync"/> undoes it. Once the
    /// source's <see cref="MigrateAsync"/> finished, the VM runs here like any other (it appears in
    /// <see cref="ObserveAsync"/>).</summary>
    Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct);

    /// <summary>On the source: live-migrates the running VM to <paramref name="target"/>, reporting progress 0–1; when it
    /// returns, the VM runs on the target and is gone from here. On failure the VM keeps running here (the caller then
    /// deletes it on the target). A VM this node no longer has is taken as migrated already (a replay after the source
    /// finished): the call succeeds with unknown figures, and the caller confirms with the target's
    /// <see cref="ObserveAsync"/>.</summary>
    Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct);

    /// <summary>The last <paramref name="maxBytes"/> bytes of the VM's serial console (UTF-8, invalid bytes replaced);
    /// empty when it has never run or captures no serial console.</summary>
    Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct);

    /// <summary>This node's power state and load and the VMs it holds (a VM waiting for an incoming migration is not
    /// listed until it arrived).</summary>
    Task<NodeObservation> ObserveAsync(CancellationToken ct);
}

/// <summary>Finds the node driver of a host.</summary>
public interface INodeDriverResolver
{
    /// <summary>Name of the drivers it hands out ("simulated", "qemu"), for health output. Added to the contract so the
    /// health endpoint needs no node to name the driver.</summary>
    string DriverName { get; }

    /// <summary>The driver of <paramref name="host"/>'s hypervisor; throws <see cref="DriverException"/> when the host has
    /// none (e.g. no registered agent), saying what to do.</summary>
    INodeDriver For(HostId host);
}
