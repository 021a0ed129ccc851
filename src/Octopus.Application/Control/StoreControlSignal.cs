using Octopus.Persistence.Providers;

namespace Octopus.Application.Control;

/// <summary>The <see cref="IControlSignal"/> of replicas sharing a store: a wake-up wakes this process's loop and is
/// announced through the store (<see cref="IStoreWakeups"/>: PostgreSQL NOTIFY), and an announcement from another
/// replica wakes this one's loop, so a command accepted by a follower is acted on by the leader at once. Only followers
/// announce: the leader's own wake-ups (one per command and per finished operation) concern its own loop, and followers'
/// loops do no leader work, so announcing them would only cost the store a NOTIFY each. Announcements asked for while one
/// is being sent are sent as one. When the store cannot be reached the loops fall back on their
/// poll interval; after listening again the loop runs once, for what was announced meanwhile.</summary>
public sealed partial class StoreControlSignal(IStoreWakeups wakeups, Cluster.ReplicaLeadership leadership, TimeProvider time, ILogger<StoreControlSignal> log)
    : BackgroundService, IControlSignal
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly ControlSignal _local = new();
    private readonly SemaphoreSlim _announce = new(0, 1);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;

    /// <summary>How many wake-ups other replicas announced to this one (for tests and diagnostics).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Completes once this replica first listens for announcements.</summary>
    public Task Listening => _listening.Task;

    public void Wake()
    {
        _local.Wake();
        if (leadership.Current is not null) return; // the leader's own loop is the one that acts
        try { _announce.Release(); } catch (SemaphoreFullException) { /* one is pending: it covers this one too */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _local.WaitAsync(timeout, ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), AnnounceAsync(stoppingToken));

    private async Task AnnounceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await _announce.WaitAsync(ct); }
            catch (OperationCanceledException) { return; }
            try { await wakeups.AnnounceAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) { LogAnnounceFailed(log, e.Message); }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var listener = await wakeups.ListenAsync(Woken, ct);
                _listening.TrySetResult();
                _local.Wake(); // announcements made while this replica was not listening were lost: look once
                await listener.Closed.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(log, e.Message);
            }
            try { await Task.Delay(RetryAfter, time, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private void Woken()
    {
        Interlocked.Increment(ref _received);
        _local.Wake();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not announce a control wake-up to the other replicas ({Error}); the leader will see the work at its next poll")]
    private static partial void LogAnnounceFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lost the store's wake-up channel ({Error}); listening again, polling meanwhile")]
    private static partial void LogListenFailed(ILogger logger, string error);
}
