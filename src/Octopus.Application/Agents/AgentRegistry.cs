using System.Text.Json;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Persistence.Agents;
using Octopus.Persistence.Records;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>The registered agents and what their last reports said, all rows of the store's <c>Agents</c> table
/// (<see cref="AgentRegistrationStore"/>): registrations, liveness (last accepted heartbeat's sequence and time, the
/// failed flag) and each agent's last report (the VMs it runs, its load). A restart keeps every agent, its secret and
/// when it was last heard, and every server process sees the same: agents keep heartbeating to whichever replica the
/// balancer picks, and the leader observes reports a follower received. A report is written by the statement that
/// accepts its heartbeat, so it adds no statement to a heartbeat.</summary>
public sealed class AgentRegistry : IAgentDirectory
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web);

    private readonly AgentRegistrationStore _store;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;

    public AgentRegistry(AgentRegistrationStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        _startedAt = time.GetUtcNow();
    }

    /// <summary>Registers (or re-registers) the agent of host <paramref name="host"/> with a new secret; its previous
    /// report is dropped.</summary>
    public AgentRecord Register(HostId host, string name, string url)
    {
        var now = _time.GetUtcNow();
        var record = new AgentRecord(host.Value, name, url, AgentSignature.NewSecret(), now);
        _store.Register(new AgentRegistrationRecord
        {
            Id = record.Id, Name = name, Url = url, Secret = record.Secret, RegisteredAt = now, LastHeardAt = now,
        });
        return record;
    }

    public AgentRecord? Find(Guid id) => _store.Find(id) is { } r ? ToRecord(r) : null;

    public IReadOnlyList<AgentRecord> All => [.. _store.All().Select(ToRecord)];

    /// <summary>Null when accepted; else why the heartbeat is stale (its sequence is not newer than the last one's). An
    /// accepted heartbeat's report replaces the stored one unless its generation is older than the newest applied.</summary>
    public string? AcceptHeartbeat(Guid id, AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!_store.AcceptHeartbeat(id, status.Sequence, _time.GetUtcNow(), status.Generation, JsonSerializer.Serialize(status, ReportJson)))
            return _store.Find(id) is { } r
                ? $"stale heartbeat (sequence {status.Sequence}, last accepted {r.LastSequence})"
                : "unknown agent";
        return null;
    }

    /// <summary>A report fetched right after an operation: it is the newest view of that agent.</summary>
    public void ApplyFresh(Guid id, AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _store.ApplyFresh(id, _time.GetUtcNow(), status.Generation, JsonSerializer.Serialize(status, ReportJson));
    }

    /// <summary>Every agent's liveness, without reading the reports: what the health monitor needs every second. After a
    /// server start every agent gets a full heartbeat timeout before it can be judged (its last heartbeat is counted from
    /// the start at the earliest), as it did while the server was down through no fault of its own.</summary>
    public IReadOnlyList<AgentLiveness> Liveness() => [.. _store.All().Select(r => new AgentLiveness(ToRecord(r), LastHeard(r), r.Failed))];

    /// <summary>Every agent's view with its last report (liveness counted as in <see cref="Liveness"/>).</summary>
    public IReadOnlyList<AgentView> Views() => [.. _store.AllWithReports().Select(ViewOf)];

    /// <summary>One agent's view (as in <see cref="Views"/>), or null when it is not registered: one row read.</summary>
    public AgentView? View(Guid id) => _store.Find(id) is { } row ? ViewOf(row) : null;

    private AgentView ViewOf(AgentRegistrationRecord r) => new(ToRecord(r), LastHeard(r), r.Failed,
        r.Report is null ? null : JsonSerializer.Deserialize<AgentStatus>(r.Report, ReportJson));

    private DateTimeOffset LastHeard(AgentRegistrationRecord r) => r.LastHeardAt > _startedAt ? r.LastHeardAt : _startedAt;

    /// <summary>Sets the failed flag; returns true when this call changed it.</summary>
    public bool SetFailed(Guid id, bool failed) => _store.SetFailed(id, failed);

    private static AgentRecord ToRecord(AgentRegistrationRecord r) => new(r.Id, r.Name, r.Url, r.Secret, r.RegisteredAt);
}

/// <summary>An agent's liveness as the health monitor judges it: when it was last heard (not before this server's start)
/// and whether it is marked failed.</summary>
public sealed record AgentLiveness(AgentRecord Record, DateTimeOffset LastHeard, bool Failed);
