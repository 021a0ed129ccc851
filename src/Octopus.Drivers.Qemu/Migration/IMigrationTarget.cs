using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu.Migration;

/// <summary>The receiving side of a live migration: a QEMU host driver in this process, or (through the agent protocol)
/// one on another node. The source drives the protocol: prepare, migrate, then complete or abort.</summary>
public interface IMigrationTarget
{
    HostId Host { get; }

    /// <summary>Starts the VM's QEMU with the same machine as <paramref name="spec"/>, waiting for the incoming state,
    /// and returns the migration URI the source must send it to (e.g. "tcp:127.0.0.1:40123").</summary>
    Task<string> PrepareIncomingAsync(QemuVmSpec spec, CancellationToken ct);

    /// <summary>Without shared storage, step 1: makes a local disk of <paramref name="diskVirtualSize"/> bytes, starts the
    /// VM's QEMU on it paused and waiting ("-incoming defer -S"), exports the disk over NBD and returns the NBD URI the
    /// source mirrors the disk into (e.g. "nbd:127.0.0.1:40124:exportname=disk0").</summary>
    Task<string> PrepareIncomingWithDiskCopyAsync(QemuVmSpec spec, long diskVirtualSize, CancellationToken ct);

    /// <summary>Without shared storage, step 2 (the disk mirror is in sync): starts listening for the migration stream
    /// and returns its URI.</summary>
    Task<string> StartIncomingMigrationAsync(VmId vm, CancellationToken ct);

    /// <summary>The source finished sending: checks the VM runs here and takes it as one of this host's VMs.
    /// Throws <see cref="DriverException"/> when it does not run, so the source can resume instead.</summary>
    Task CompleteIncomingAsync(VmId vm, CancellationToken ct);

    /// <summary>The migration failed or was cancelled: kills the waiting QEMU and removes its folder. Idempotent; never
    /// touches a VM that already runs here for real.</summary>
    Task AbortIncomingAsync(VmId vm, CancellationToken ct);
}

/// <summary>Finds the migration target for a host id (in one process: a dictionary; across nodes: agent clients).</summary>
public interface IMigrationTargetDirectory
{
    IMigrationTarget? Find(HostId host);
}

/// <summary>Targets living in this process, e.g. several host drivers on one machine (tests, benchmarks, a one-node lab).</summary>
public sealed class InProcessMigrationTargets : IMigrationTargetDirectory
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<HostId, IMigrationTarget> _targets = new();

    public void Add(IMigrationTarget target) => _targets[target.Host] = target;

    public IMigrationTarget? Find(HostId host) => _targets.GetValueOrDefault(host);
}

/// <summary>What a finished live migration cost.</summary>
/// <param name="TotalTime">QEMU's total-time: from migrate to completion.</param>
/// <param name="Downtime">QEMU's downtime: how long the guest was paused for the final copy.</param>
/// <param name="RamTransferred">Bytes of guest RAM sent (more than the guest's RAM when pages were dirtied and resent).</param>
/// <param name="WallTime">From asking the destination to prepare until the source was gone, as the agent saw it.</param>
public sealed record MigrationReport(VmId Vm, HostId Source, HostId Destination, TimeSpan TotalTime, TimeSpan Downtime, long RamTransferred, TimeSpan WallTime);

/// <summary>How a VM's disk reaches the destination host.</summary>
public enum MigrationStorage
{
    /// <summary>Both hosts see the same storage folder: only RAM and device state move.</summary>
    Shared,
    /// <summary>No shared storage: the disk is mirrored to a local disk on the destination over NBD first.</summary>
    Copy,
}
