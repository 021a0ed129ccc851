using Microsoft.EntityFrameworkCore;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Agents;

/// <summary>Registered agents and their liveness in the store (table <c>Agents</c>). Every write is one statement or
/// one transaction, and the liveness updates are conditional, so two server processes serving the same agents agree:
/// a heartbeat is accepted once (its sequence must be newer than the stored one) and a failure is flagged once.
/// Synchronous because its callers (request handlers, the driver's lookups) are; each call is one short query.</summary>
public sealed class AgentRegistrationStore(IDbContextFactory<OctopusDbContext> contexts)
{
    public IReadOnlyList<AgentRegistrationRecord> All()
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
            existing.Version++;
        }
        db.SaveChanges();
        tx.Commit();
    }

    /// <summary>Records a heartbeat when <paramref name="sequence"/> is newer than the last accepted one; false when it
    /// is not (stale or replayed) or the agent is unknown.</summary>
    public bool AcceptHeartbeat(Guid id, long sequence, DateTimeOffset at)
    {
        using var db = contexts.CreateDbContext();
        return db.Agents.Where(a => a.Id == id && a.LastSequence < sequence)
            .ExecuteUpdate(s => s.SetProperty(a => a.LastSequence, sequence).SetProperty(a => a.LastHeardAt, at)
                .SetProperty(a => a.Version, a => a.Version + 1)) == 1;
    }

    /// <summary>The agent answered a request just now (a fresh status after an operation).</summary>
    public void Heard(Guid id, DateTimeOffset at)
    {
        using var db = contexts.CreateDbContext();
        db.Agents.Where(a => a.Id == id && a.LastHeardAt < at)
            .ExecuteUpdate(s => s.SetProperty(a => a.LastHeardAt, at).SetProperty(a => a.Version, a => a.Version + 1));
    }

    /// <summary>Sets the failed flag; true when this call changed it (so only one process reacts to the change).</summary>
    public bool SetFailed(Guid id, bool failed)
    {
        using var db = contexts.CreateDbContext();
        return db.Agents.Where(a => a.Id == id && a.Failed != failed)
            .ExecuteUpdate(s => s.SetProperty(a => a.Failed, failed).SetProperty(a => a.Version, a => a.Version + 1)) == 1;
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
        LastSequence = r.LastSequence, Failed = r.Failed, Version = version,
    };
}
