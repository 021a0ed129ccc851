using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Leadership;
using Octopus.Persistence.Providers;
using Octopus.Persistence.Records;
using Octopus.Application.Configuration;

namespace Octopus.Application.Cluster;

/// <summary>Makes exactly one server process per store the leader. Every <see cref="LeadershipTimeouts.CheckInterval"/>
/// it records this replica as alive (<c>ControlPlaneReplicas</c>) and, while following, tries the store's leadership
/// lock (<see cref="IStoreProvider.TryTakeLeadershipAsync"/>: a PostgreSQL session advisory lock; always granted on
/// SQLite). On taking it, it raises the store's term by one (the fencing token every leader write is checked against),
/// requeues the operations the previous leader left running, and begins the term. While leading it checks the lock and
/// the store's term; when either is lost (the session died, the process was frozen past the session's idle timeout,
/// the database failed over) the term ends at once and the leader-only services stop.</summary>
public sealed partial class LeaderElection(IDbContextFactory<OctopusDbContext> contexts, ReplicaLeadership leadership, LeadershipTimeouts timeouts,
    Microsoft.Extensions.Options.IOptions<ServerOptions> settings, IEnumerable<ILeaderTermListener> listeners, TimeProvider time, ILogger<LeaderElection> log) : BackgroundService
{
    /// <summary>Replicas not seen for this long are removed from the table.</summary>
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    private readonly DateTimeOffset _started = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            ILeadershipLock? held = null;
            try
            {
                await TouchAsync(stoppingToken);
                await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
                    held = await db.Provider.TryTakeLeadershipAsync(db, timeouts, stoppingToken);
                if (held is not null) await LeadAsync(held, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogElectionFailed(log, e.Message);
            }
            finally
            {
                if (leadership.Current is { } ended)
                {
                    leadership.End();
                    LogDeposed(log, ended.Number);
                }
                if (held is not null) await held.DisposeAsync();
            }
            try { await Task.Delay(timeouts.CheckInterval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task LeadAsync(ILeadershipLock held, CancellationToken ct)
    {
        var term = await TakeTermAsync(ct);
        leadership.Begin(term, time.GetUtcNow());
        LogLeading(log, leadership.ReplicaId, term);
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(timeouts.CheckInterval, time, ct);
            if (!await held.StillHeldAsync(ct))
            {
                LogLockLost(log, term);
                return;
            }
            var current = await StoreTermAsync(ct);
            if (current != term)
            {
                LogSuperseded(log, term, current);
                return;
            }
            await TouchAsync(ct);
        }
    }

    /// <summary>Raises the store's term and claims it; then, under the new term, requeues what was left Running (its
    /// claim holder no longer leads: it is fenced, so running it again here is the only way it finishes).</summary>
    private async Task<long> TakeTermAsync(CancellationToken ct)
    {
        long term;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.FencingTerm = null; // taking the term is what the fence checks against, not a fenced write
            var row = await db.ControlPlaneLeadership.FirstOrDefaultAsync(l => l.Id == ControlPlaneLeadershipRecord.SingletonId, ct);
            if (row is null) db.ControlPlaneLeadership.Add(row = new ControlPlaneLeadershipRecord());
            row.Term++;
            row.LeaderId = leadership.ReplicaId;
            row.Since = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            term = row.Term;
        }
        foreach (var listener in listeners) await listener.OnTermBeginningAsync(term, ct);
        using (LeaderFence.Enter(term))
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await Control.OperationRunner.ResumeInterruptedAsync(db, ct);
        }
        return term;
    }

    private async Task<long?> StoreTermAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ControlPlaneLeadership.AsNoTracking().Where(l => l.Id == ControlPlaneLeadershipRecord.SingletonId).Select(l => (long?)l.Term).FirstOrDefaultAsync(ct);
    }

    /// <summary>Records this replica as alive now (and forgets replicas silent for a long time).</summary>
    private async Task TouchAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.FencingTerm = null;
        var now = time.GetUtcNow();
        var me = await db.Replicas.FirstOrDefaultAsync(r => r.Id == leadership.ReplicaId, ct);
        if (me is null)
            db.Replicas.Add(me = new ControlPlaneReplicaRecord { Id = leadership.ReplicaId, StartedAt = _started, Address = Address() });
        me.LastSeenAt = now;
        await db.SaveChangesAsync(ct);
        var forgetBefore = (now - ForgetAfter).UtcTicks;
        var stale = await db.Replicas.ToListAsync(ct);
        var gone = stale.Where(r => r.LastSeenAt.UtcTicks < forgetBefore).ToList();
        if (gone.Count == 0) return;
        db.Replicas.RemoveRange(gone);
        await db.SaveChangesAsync(ct);
    }

    private string Address() => $"{System.Net.Dns.GetHostName()}:{settings.Value.Port}";

    [LoggerMessage(Level = LogLevel.Information, Message = "replica {Replica} leads the control plane (term {Term})")]
    private static partial void LogLeading(ILogger logger, Guid replica, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "leadership lock lost in term {Term} (the database ended the session); following")]
    private static partial void LogLockLost(ILogger logger, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "term {Term} superseded by term {Current} in the store; following")]
    private static partial void LogSuperseded(ILogger logger, long term, long? current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopped leading (term {Term}); leader-only services stopped")]
    private static partial void LogDeposed(ILogger logger, long term);

    [LoggerMessage(Level = LogLevel.Warning, Message = "leader election round failed: {Problem}; trying again")]
    private static partial void LogElectionFailed(ILogger logger, string problem);
}
