namespace Octopus.Domain.Hosts;

/// <summary>Power state of a compute node. Maintenance is a separate flag on <see cref="Host"/>: a host in maintenance
/// can be on (being drained) or off (being repaired).</summary>
public enum HostPowerState
{
    On,
    PoweringOn,
    PoweringOff,
    Off,
    /// <summary>The host stopped answering (agent heartbeat lost, or power failure).</summary>
    Failed,
}
