namespace Octopus.Consolidation.Model;

/// <summary>Whether a host is drawing power.</summary>
public enum HostPower
{
    Off,
    On,
}

/// <summary>A host as observed at the start of a scheduling interval.</summary>
/// <param name="Type">Index into <see cref="ClusterSnapshot.HostTypes"/>.</param>
/// <param name="ObservedMips">MIPS the host actually delivered to its VMs at the observation time.</param>
/// <param name="Power">Whether it is on.</param>
/// <param name="PowerChangedStep">Interval in which it last changed power state (for hysteresis), or int.MinValue if never.</param>
public readonly record struct HostSnapshot(int Type, double ObservedMips, HostPower Power, int PowerChangedStep)
{
    /// <summary>Times the host was switched off in the 24 hours before the observation (the live server counts its
    /// journal's power-off operations; the simulator its own switch-offs). Policies cap power cycles with it.</summary>
    public int PowerOffsInLastDay { get; init; }
}

/// <summary>A VM as observed at the start of a scheduling interval.</summary>
/// <param name="Mips">Its size (one core of this speed).</param>
/// <param name="RamMb">Its memory.</param>
/// <param name="BandwidthMbps">Its network share.</param>
/// <param name="Host">Host index, or -1 when it still has to be placed.</param>
/// <param name="Utilisation">Current CPU use as a fraction of <paramref name="Mips"/>.</param>
/// <param name="ArrivalOrder">When it arrived on its host; orders each host's VM list (CloudSim selection breaks ties by it).</param>
public readonly record struct VmSnapshot(double Mips, double RamMb, double BandwidthMbps, int Host, double Utilisation, long ArrivalOrder)
{
    public double RequestedMips => Utilisation * Mips;
}

/// <summary>An immutable view of the cluster handed to a consolidation policy: hosts, VMs, their recent CPU use.
/// Policies must not mutate it; they return a <see cref="ConsolidationPlan"/>.</summary>
public sealed class ClusterSnapshot
{
    public required IReadOnlyList<HostType> HostTypes { get; init; }
    public required HostSnapshot[] Hosts { get; init; }
    public required VmSnapshot[] Vms { get; init; }
    public required UtilisationHistory History { get; init; }
    public MemoryMode Memory { get; init; } = MemoryMode.Enforced;

    /// <summary>Index of this scheduling interval (0 = the first).</summary>
    public int Step { get; init; }

    /// <summary>Length of a scheduling interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Memory bandwidth used for live migration: migration takes RAM / this (CloudSim: half of 1 Gbit/s = 62.5 MB/s).</summary>
    public double MigrationMbPerSecond { get; init; } = 62.5;

    /// <summary>SLATAH measured so far (time active hosts ran short of CPU / active time), for policies that steer to an
    /// SLA target; null when the observer does not measure it.</summary>
    public double? MeasuredSlatah { get; init; }

    /// <summary>Placement's view of the same hosts and VMs (cores, memory, disk, maintenance, power state), when the
    /// plan must pass placement's filters: a policy then puts a VM only where they take it, so a committer that asks them
    /// again never refuses a proposed step. Null (the simulator: no disks) asks nothing more than the engine's own model.</summary>
    public PlacementFeasibility? Feasibility { get; init; }

    public HostType TypeOf(int host) => (HostType)HostTypes[Hosts[host].Type];
}
