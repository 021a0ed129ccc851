namespace Octopus.Scheduling.Placement.Scorers;

/// <summary>Prefers the host with the lowest observed CPU load, so a new VM lands where it competes least for CPU time.
/// Raw score: the host's load in percent, lower is better. Off by default (weight 0); see
/// <see cref="PlacementOptions.LoadWeight"/>.</summary>
internal sealed class LowLoadScorer : IPlacementScorer
{
    public string Name => "LowLoad";

    public bool HigherIsBetter => false;

    public double Score(PlacementRequest request, HostView host) => host.Load.Percent;
}
