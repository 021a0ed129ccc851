using Octopus.Application.Configuration;
using Octopus.Application.Control;

namespace Octopus.Application.Consolidation;

/// <summary>Once per consolidation interval: closes the telemetry interval (one history sample per VM) and, in
/// automatic mode, plans and applies. In manual mode plans are computed on demand (<c>octopus plan</c>).</summary>
public sealed partial class ConsolidationPass(Persistence.OctopusDbContext db, TimeProvider time, TelemetryCache telemetry, ConsolidationModeStore modes, ConsolidationPlanner planner, PlanCommitter committer,
    PlanDismissal dismissal,
    ILogger<ConsolidationPass> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        telemetry.CloseInterval();
        await telemetry.PersistAsync(db, time.GetUtcNow(), ct); // the planner reads the store, as it does on any replica
        if (modes.Mode != ConsolidationMode.Automatic) return;
        var plan = await planner.PlanAsync(ct);
        if (plan.Steps.Count == 0 || dismissal.IsDismissed(plan.View)) return;
        var applied = await committer.ApplyAsync(plan, "scheduler", ct);
        LogApplied(log, applied.Summary);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "consolidation: {Summary}")]
    private static partial void LogApplied(ILogger logger, string summary);
}
