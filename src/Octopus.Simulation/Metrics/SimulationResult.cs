namespace Octopus.Simulation.Metrics;

/// <summary>What one policy did over one workload, with CloudSim's metrics.</summary>
/// <param name="Policy">Policy name.</param>
/// <param name="EnergyKWh">Energy drawn by all hosts.</param>
/// <param name="Slatah">SLA time per active host: time active hosts spent with less CPU allocated than requested,
/// over their total active time (CloudSim's Helper: a ratio of sums).</param>
/// <param name="Pdm">Performance degradation due to migration: MIPS·s lost to migrations over MIPS·s requested.</param>
/// <param name="Migrations">Live migrations started.</param>
/// <param name="HostShutdowns">Times a host went from loaded to unloaded (and so off).</param>
/// <param name="UnplacedVms">VMs the policy could not place initially (they never ran; CloudSim drops them too).</param>
/// <param name="FinishedVms">VMs that left during the day: CloudSim ends a VM whose CPU request reaches exactly zero.</param>
/// <param name="WallSeconds">Wall time of the run.</param>
/// <param name="CpuSeconds">Processor time the process used during the run (wall time on a loaded, shared machine
/// includes waiting; this does not).</param>
/// <param name="ActiveHosts">Hosts drawing power at the start of each interval.</param>
/// <param name="PowerWatts">Cluster power at the start of each interval.</param>
public sealed record SimulationResult(
    string Policy,
    double EnergyKWh,
    double Slatah,
    double Pdm,
    long Migrations,
    long HostShutdowns,
    int UnplacedVms,
    int FinishedVms,
    double WallSeconds,
    double CpuSeconds,
    int[] ActiveHosts,
    double[] PowerWatts)
{
    /// <summary>The most times any one host was switched off during the run (a day): the flapping figure. Counts every
    /// switch-off, by the policy or because the host's last VM finished.</summary>
    public int MaxHostPowerOffs { get; init; }

    public double Slav => Slatah * Pdm;
    public double Esv => EnergyKWh * Slav;
}
