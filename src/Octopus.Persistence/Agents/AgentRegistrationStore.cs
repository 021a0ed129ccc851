using Microsoft.EntityFrameworkCore;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Agents;

/// <summary>Registered agents and their liveness in the store (table <c>Agents</c>). Every write is one statement or
/// one transaction, and the liveness updates are conditional, so two server processes serving the same agents agree:
/// a heartbeat is accepted once (its sequence must be newer than the stored one) and a failure is flagged once. The
/// agent's last report travels in the statement that accepts its heartbeat, so a report costs no statement of its own.
/// Synchronous because its callers (request handlers, the driver's lookups) are; each call is one short query (in a
/// leader's flow, one transaction that checks its term first, <see cref="OctopusDbContext.Fenced{T}"/>).</summary>
public sealed class AgentRegistrationStore(IDbContextFactory<OctopusDbContext> contexts)
{
    /// <summary>Every registration with its liveness, without the reports (<see cref="AgentRegistrationRecord.Report"/> is
    /// null): what the health monitor reads every second.</summary>
    public IReadOnlyList<AgentRegistrationRecord> All()
    {
        using var db = contexts.CreateDbContext();
        return db.Agents.AsNoTracking().OrderBy(a => a.Name).Select(a => new AgentRegistrationRecord
        {
            Id = a.Id, Name = a.Name, Url = a.Url, Secret = a.Secret, RegisteredAt = a.RegisteredAt, LastHeardAt = a.LastHeardAt,
            LastSequence = a.LastSequence, Failed = a.Failed, ReportGeneration = a.ReportGeneration, Version = a.Version,
        }).ToList();
    }

    /// <summary>Every registration with its liveness and last report.</summary>
    public IReadOnlyList<AgentRegistrationRecord> AllWithReports()
    {
        using var db = contexts.CreateDbContext();
        return db.Agents.AsNoTracking().OrderBy(a => a.Name).ToList();
    }

    public AgentRegistrationRecord? Find(Guid id)
    {
        using var db = contexts.CreateDbContext();
        return db.Agents.AsNoTracking().FirstOrDefault(a => a.Id == id);
    }

    /// <summary>Inserts the registration, or replaces the agent's row (new name, address and secret; liveness restarts
    /// from <see cref="AgentRegistrationRecord.LastHeardAt"/> with sequence 0).</summary>
    public void Register(AgentRegistrationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var db = contexts.CreateDbContext();
        using var tx = db.Database.BeginTransaction();
        var existing = db.Agents.FirstOrDefault(a => a.Id == record.Id);
        if (existing is null)
        {
            db.Agents.Add(Copy(record, version: 1));
        }
        else
        {
            existing.Name = record.Name;
            existing.Url = record.Url;
            existing.Secret = record.Secret;
            existing.RegisteredAt = record.RegisteredAt;
            existing.LastHeardAt = record.LastHeardAt;
            existing.LastSequence = 0;
            existing.Failed = false;
            existing.Report = null;
            existing.ReportGeneration = 0;
            existing.Version++;
        }
        db.SaveChanges();
        tx.Commit();
    }

    /// <summary>Records a heartbeat and its report when <paramref name="sequence"/> is newer than the last accepted one;
    /// false when it is not (stale or replayed) or the agent is unknown. One conditional UPDATE: the report replaces the
    /// stored one unless its <paramref name="generation"/> is older than the newest applied (it may predate an operation
    /// the server saw finish; the heartbeat still counts as liveness); a null <paramref name="report"/> keeps the stored
    /// one. Heartbeats that arrive while another group is being committed share one transaction (a group commit,
    /// <see cref="MaxGroup"/> at most): the task completes only after the commit that holds this heartbeat, so an
    /// accepted heartbeat is never lost, and a store with 1,000 agents commits a few times per round instead of 1,000.
    /// A caller in a leader's flow (a fencing term, <see cref="Leadership.LeaderFence.Current"/>) is not grouped: its
    /// write is checked against its own term, in a transaction of its own.</summary>
    public async Task<bool> AcceptHeartbeatAsync(Guid id, long sequence, DateTimeOffset at, long generation, string? report)
    {
        var beat = new PendingHeartbeat(id, sequence, at, generation, report);
        if (Leadership.LeaderFence.Current is not null)
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await db.FencedAsync(ct => UpdateAsync(db, beat, ct)) == 1;
        }
        bool start;
        lock (_gate)
        {
            _pending.Add(beat);
            start = !_committing;
            _committing = true;
        }
        if (start) _ = Task.Run(CommitPendingAsync);
        return await beat.Accepted.Task;
    }

    /// <summary>The most heartbeats one transaction holds.</summary>
    public const int MaxGroup = 256;

    /// <summary>Heartbeats waiting for the next group commit, and whether a committer is running.</summary>
    private readonly Lock _gate = new();
    private List<PendingHeartbeat> _pending = [];
    private bool _committing;

    /// <summary>Counts of the group commits done (for tests and the bench): transactions, heartbeats in them.</summary>
    public (long Commits, long Heartbeats) GroupCommits => (Interlocked.Read(ref _groupCommits), Interlocked.Read(ref _groupedBeats));
    private long _groupCommits, _groupedBeats;

    private sealed class PendingHeartbeat(Guid id, long sequence, DateTimeOffset at, long generation, string? report)
    {
        public Guid Id { get; } = id;
        public long Sequence { get; } = sequence;
        public DateTimeOffset At { get; } = at;
        public long Generation { get; } = generation;
        public string? Report { get; } = report;
        public TaskCompletionSource<bool> Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The committer: takes what waits, commits it as one group, and goes on while more arrived meanwhile (they
    /// form the next group); it stops when nothing waits.</summary>
    private async Task CommitPendingAsync()
    {
        while (true)
        {
            List<PendingHeartbeat> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _committing = false;
                    return;
                }
                if (_pending.Count <= MaxGroup)
                {
                    group = _pending;
                    _pending = [];
                }
                else
                {
                    group = _pending[..MaxGroup];
                    _pending.RemoveRange(0, MaxGroup);
                }
            }
            try
            {
                var accepted = await CommitGroupAsync(group);
                for (var i = 0; i < group.Count; i++) group[i].Accepted.TrySetResult(accepted[i]);
            }
            catch (Exception) when (group.Count > 1)
            {
                // One heartbeat's failure must not fail the others: each is tried alone, and only its own error is its.
                foreach (var beat in group)
                {
                    try { beat.Accepted.TrySetResult((await CommitGroupAsync([beat]))[0]); }
                    catch (Exception e) { beat.Accepted.TrySetException(e); }
                }
            }
            catch (Exception e)
            {
                group[0].Accepted.TrySetException(e);
            }
        }
    }

    /// <summary>One transaction with every heartbeat of <paramref name="group"/>: the rows are updated in the order of the
    /// agents' ids (two replicas' groups lock them in the same order, so they cannot deadlock) and, for one agent, of the
    /// sequences (the later one is compared with the earlier one's, as if they had come one by one).</summary>
    private async Task<bool[]> CommitGroupAsync(IReadOnlyList<PendingHeartbeat> group)
    {
        await using var db = await contexts.CreateDbContextAsync();
        db.FencingTerm = null; // a heartbeat is the agent's write, not a leader's: any replica accepts it
        var accepted = new bool[group.Count];
        await using var tx = group.Count > 1 ? await db.Database.BeginTransactionAsync() : null;
        foreach (var i in Enumerable.Range(0, group.Count).OrderBy(i => group[i].Id).ThenBy(i => group[i].Sequence))
            accepted[i] = await UpdateAsync(db, group[i], CancellationToken.None) == 1;
        if (tx is not null) await tx.CommitAsync();
        Interlocked.Increment(ref _groupCommits);
        Interlocked.Add(ref _groupedBeats, group.Count);
        return accepted;
    }

    private static Task<int> UpdateAsync(OctopusDbContext db, PendingHeartbeat beat, CancellationToken ct)
    {
        var (id, sequence, at, generation, report) = (beat.Id, beat.Sequence, beat.At, beat.Generation, beat.Report);
        if (report is null) // liveness only: the stored report stays
            return db.Agents.Where(a => a.Id == id && a.LastSequence < sequence)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastSequence, sequence).SetProperty(a => a.LastHeardAt, at)
                    .SetProperty(a => a.Version, a => a.Version + 1), ct);
        return db.Agents.Where(a => a.Id == id && a.LastSequence < sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastSequence, sequence).SetProperty(a => a.LastHeardAt, at)
                .SetProperty(a => a.Report, a => generation >= a.ReportGeneration ? report : a.Report)
                .SetProperty(a => a.ReportGeneration, a => generation > a.ReportGeneration ? generation : a.ReportGeneration)
                .SetProperty(a => a.Version, a => a.Version + 1), ct);
    }

    /// <summary>The agent answered a status request just now (right after an operation): its report is the newest view
    /// of it whatever its generation, and it was heard at <paramref name="at"/>. One statement.</summary>
    public void ApplyFresh(Guid id, DateTimeOffset at, long generation, string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var db = contexts.CreateDbContext();
        db.Fenced(() => db.Agents.Where(a => a.Id == id)
            .ExecuteUpdate(s => s.SetProperty(a => a.LastHeardAt, a => a.LastHeardAt < at ? at : a.LastHeardAt)
                .SetProperty(a => a.Report, report)
                .SetProperty(a => a.ReportGeneration, a => generation > a.ReportGeneration ? generation : a.ReportGeneration)
                .SetProperty(a => a.Version, a => a.Version + 1)));
    }

    /// <summary>Sets the failed flag; true when this call changed it (so only one process reacts to the change). The
    /// health monitor's write: fenced by its leader term (a deposed leader's call throws
    /// <see cref="Leadership.StaleLeaderException"/> and changes nothing).</summary>
    public bool SetFailed(Guid id, bool failed)
    {
        using var db = contexts.CreateDbContext();
        return db.Fenced(() => db.Agents.Where(a => a.Id == id && a.Failed != failed)
            .ExecuteUpdate(s => s.SetProperty(a => a.Failed, failed).SetProperty(a => a.Version, a => a.Version + 1))) == 1;
    }

    /// <summary>Stages imported registrations (the legacy <c>agents.json</c>) as new rows in <paramref name="db"/>.</summary>
    public static void StageImport(OctopusDbContext db, IEnumerable<AgentRegistrationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(records);
        foreach (var r in records) db.Agents.Add(Copy(r, version: 1));
    }

    private static AgentRegistrationRecord Copy(AgentRegistrationRecord r, long version) => new()
    {
        Id = r.Id, Name = r.Name, Url = r.Url, Secret = r.Secret, RegisteredAt = r.RegisteredAt, LastHeardAt = r.LastHeardAt,
        LastSequence = r.LastSequence, Failed = r.Failed, Report = r.Report, ReportGeneration = r.ReportGeneration, Version = version,
    };
}
