namespace Octopus.Scheduling.Placement;

/// <summary>How placement ranks the hosts that can take a VM.</summary>
public enum PlacementStrategy
{
    /// <summary>Best fit: the host left with the least free memory, so VMs consolidate and empty hosts can power off.</summary>
    Pack,

    /// <summary>Worst fit: the host left with the most free memory, so load stays balanced.</summary>
    Spread,
}
