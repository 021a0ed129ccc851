using Octopus.Persistence;
using Octopus.Server.Configuration;

namespace Octopus.Server.Control;

/// <summary>The control plane's heartbeat: every interval (or sooner when woken) it places pending VMs, dispatches
/// journaled operations and, less often, reads telemetry. Each pass has its own store scope; a failing pass is
/// logged and the loop goes on.</summary>
public sealed partial class ControlLoop(IServiceScopeFactory scopes, OperationRunner operations, ControlSignal signal, ServerSettings settings,
    TimeProvider time, Cluster.ReplicaLeadership leadership, ILogger<ControlLoop> log) : Cluster.LeaderOnlyService(leadership, log)
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
                await sp.GetRequiredService<PlacementPass>().RunAsync(stoppingToken);
                await sp.GetRequiredService<EvacuationPass>().RunAsync(stoppingToken);
                await operations.DispatchAsync(sp.GetRequiredService<OctopusDbContext>(), stoppingToken);
                if (time.GetUtcNow() - lastTelemetry >= TelemetryEvery)
                {
                    await sp.GetRequiredService<TelemetryPass>().RunAsync(stoppingToken);
                    lastTelemetry = time.GetUtcNow();
                }
                if (time.GetUtcNow() - lastConsolidation >= settings.ConsolidationInterval)
                {
                    await sp.GetRequiredService<Consolidation.ConsolidationPass>().RunAsync(stoppingToken);
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

            try { await signal.WaitAsync(settings.ControlInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "control pass failed; retrying next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception e);
}
