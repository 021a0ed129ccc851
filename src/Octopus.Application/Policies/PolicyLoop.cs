using Octopus.Persistence;

namespace Octopus.Application.Policies;

/// <summary>The policy runtime's own heartbeat: a <see cref="PolicyPass"/> every <see cref="PolicySettings.Interval"/>,
/// or at once when an event is published. A failing pass is logged and the loop goes on.</summary>
public sealed partial class PolicyLoop(IServiceScopeFactory scopes, PolicyEventQueue events, PolicySettings settings, Cluster.ReplicaLeadership leadership, ILogger<PolicyLoop> log)
    : Cluster.LeaderOnlyService(leadership, log)
{
    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PolicyPass>().RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPassFailed(log, e);
            }
            try { await events.WaitAsync(settings.Interval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "policy pass failed; retrying next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception e);
}
