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
    /// false when it is not (stale or replayed) or the agent is unknown. One statement: the report replaces the stored
    /// one unless its <paramref name="generation"/> is older than the newest applied (it may predate an operation the
    /// server saw finish; the heartbeat still counts as liveness); a null <paramref name="report"/> keeps the stored one.</summary>
    public bool AcceptHeartbeat(Guid id, long sequence, DateTimeOffset at, long generation, string? report)
    {
        using var db = contexts.CreateDbContext();
        if (report is null) // liveness only: the stored report stays
            return db.Fenced(() => db.Agents.Where(a => a.Id == id && a.LastSequence < sequence)
                .ExecuteUpdate(s => s.SetProperty(a => a.LastSequence, sequence).SetProperty(a => a.LastHeardAt, at)
                    .SetProperty(a => a.Version, a => a.Version + 1))) == 1;
        return db.Fenced(() => db.Agents.Where(a => a.Id == id && a.LastSequence < sequence)
            .ExecuteUpdate(s => s.SetProperty(a => a.LastSequence, sequence).SetProperty(a => a.LastHeardAt, at)
                .SetProperty(a => a.Report, a => generation >= a.ReportGeneration ? report : a.Report)
                .SetProperty(a => a.ReportGeneration, a => generation > a.ReportGeneration ? generation : a.ReportGeneration)
                .SetProperty(a => a.Version, a => a.Version + 1))) == 1;
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
