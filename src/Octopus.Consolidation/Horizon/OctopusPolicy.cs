using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;

namespace Octopus.Consolidation.Horizon;

/// <summary>Octopus's own policy: packs by forecast demand with headroom, relieves hosts forecast to overload, and
/// empties a host only when the energy it would save over a horizon outweighs the cost of its migrations, within a
/// per-interval migration budget; hosts keep a power state for a minimum dwell time (no flapping); a periodic CP-SAT
/// re-pack finds multi-host drains greedy search misses.</summary>
/// <remarks>Pure: everything it decides on comes from the snapshot (including when each host last changed power).</remarks>
public sealed class OctopusPolicy : IConsolidationPolicy
{
    private readonly OctopusOptions _options;
    private readonly DemandForecaster _forecaster;
    // The last plan's workspace: its arrays are reused by the next (nothing of it is read after a plan returns).
    private OctopusWorkspace? _spare;

    public OctopusPolicy(OctopusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _forecaster = new DemandForecaster(options.ForecastWindow, options.ForecastSafety);
    }

    public string Name => "octopus";
    public PowerManagement PowerManagement => PowerManagement.LoadProportional;

    public ConsolidationPlan Plan(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // Taken, not shared: a plan running at the same time on another thread builds its own.
        var work = new OctopusWorkspace(snapshot, _options, _forecaster, Interlocked.Exchange(ref _spare, null));
        work.PlaceNewVms();
        if (work.Placements.Count == 0)
        {
            work.RelieveOverloads();
            work.DrainGreedily();
            // The exact re-pack looks at what greedy draining left: hosts whose VMs only fit when split cleverly.
            if (_options.RepackEverySteps > 0 && snapshot.Step % _options.RepackEverySteps == 0) RepackSolver.Drain(work, _options);
        }
        work.PowerOffIdleHosts();
        var plan = new ConsolidationPlan(work.Placements, work.Migrations, work.PowerActions, work.Unplaced, work.Held);
        Volatile.Write(ref _spare, work);
        return plan;
    }
}
