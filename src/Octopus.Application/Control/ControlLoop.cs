using Octopus.Persistence;
using Octopus.Application.Configuration;
using Passes = Octopus.Application.Observability.ControlPasses;

namespace Octopus.Application.Control;

/// <summary>The control plane's heartbeat: every interval (or sooner when woken) it places pending VMs, dispatches
/// journaled operations and, less often, reads telemetry. Each pass has its own store scope; a failing pass is
/// logged and the loop goes on.</summary>
public sealed partial class ControlLoop(IServiceScopeFactory scopes, OperationRunner operations, IControlSignal signal, Microsoft.Extensions.Options.IOptions<SchedulerOptions> options,
    Observability.IControlPlaneMetrics metrics, TimeProvider time, Cluster.ReplicaLeadership leadership, ILogger<ControlLoop> log) : Cluster.LeaderOnlyService(leadership, log)
{
    private static readonly TimeSpan TelemetryEvery = TimeSpan.FromSeconds(1);

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        var lastTelemetry = DateTimeOffset.MinValue;
        var lastConsolidation = time.GetUtcNow(); // the first plan waits one interval, so it has a history sample
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var sp = scope.ServiceProvider;
                await TimedAsync(Passes.Placement, () => sp.GetRequiredService<PlacementPass>().RunAsync(stoppingToken));
                await TimedAsync(Passes.Evacuation, () => sp.GetRequiredService<EvacuationPass>().RunAsync(stoppingToken));
                await TimedAsync(Passes.Dispatch, () => operations.DispatchAsync(sp.GetRequiredService<OctopusDbContext>(), stoppingToken));
                if (time.GetUtcNow() - lastTelemetry >= TelemetryEvery)
                {
                    await TimedAsync(Passes.Telemetry, () => sp.GetRequiredService<TelemetryPass>().RunAsync(stoppingToken));
                    lastTelemetry = time.GetUtcNow();
                }
                if (time.GetUtcNow() - lastConsolidation >= options.Value.ConsolidationInterval)
                {
                    await TimedAsync(Passes.Consolidation, () => sp.GetRequiredService<Consolidation.ConsolidationPass>().RunAsync(stoppingToken));
                    lastConsolidation = time.GetUtcNow();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPassFailed(log, e);
            }

            try { await signal.WaitAsync(options.Value.Interval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task TimedAsync(string pass, Func<Task> run)
    {
        var started = time.GetTimestamp();
        await run();
        metrics.ObservePass(pass, time.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "control pass failed; retrying next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception e);
}
