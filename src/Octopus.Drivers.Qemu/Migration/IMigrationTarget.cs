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
