namespace Octopus.Application.Cluster;

/// <summary>Told when this replica begins a leader term, after the term is taken and before any leader-only service runs
/// (e.g. to take over state the previous leader kept outside the store, as the simulated hardware's file).</summary>
public interface ILeaderTermListener
{
    Task OnTermBeginningAsync(long term, CancellationToken ct);
}

/// <summary>Reloads the simulated hardware from the shared data folder when this replica begins to lead.</summary>
internal sealed class SimulatedClusterTakeover(Drivers.Simulated.SimulatedCluster cluster) : ILeaderTermListener
{
    public Task OnTermBeginningAsync(long term, CancellationToken ct)
    {
        cluster.Reload();
        return Task.CompletedTask;
    }
}
