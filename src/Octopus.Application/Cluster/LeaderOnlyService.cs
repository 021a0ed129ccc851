using Octopus.Persistence.Leadership;

namespace Octopus.Application.Cluster;

/// <summary>A background service that runs only on the leader: it waits for this replica to lead, then runs
/// <see cref="LeadAsync"/> under the term (its store writes are fenced by it, <see cref="LeaderFence"/>) with a token
/// cancelled when the term is lost or the server stops; a deposed replica goes back to waiting.</summary>
public abstract partial class LeaderOnlyService(ReplicaLeadership leadership, ILogger log) : BackgroundService
{
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            LeaderTerm term;
            try { term = await leadership.WaitForTermAsync(stoppingToken); }
            catch (OperationCanceledException) { return; }
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term.Lost);
            using (LeaderFence.Enter(term.Number))
            {
                try
                {
                    await LeadAsync(both.Token);
                }
                catch (OperationCanceledException) when (both.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    LogLeadFailed(log, GetType().Name, term.Number, e);
                }
            }
            // Returned while still leading (it should not): wait for the term's end before starting again.
            if (!stoppingToken.IsCancellationRequested && !term.Lost.IsCancellationRequested)
            {
                try { await Task.Delay(Timeout.Infinite, both.Token); }
                catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>The service's work while this replica leads; return (or throw <see cref="OperationCanceledException"/>)
    /// when <paramref name="stoppingToken"/> is cancelled.</summary>
    protected abstract Task LeadAsync(CancellationToken stoppingToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service} stopped unexpectedly in leader term {Term}")]
    private static partial void LogLeadFailed(ILogger logger, string service, long term, Exception e);
}
