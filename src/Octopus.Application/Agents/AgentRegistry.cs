using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence.Agents;
using Octopus.Persistence.Records;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>The registered agents and what their last reports said. Registrations and liveness (last accepted heartbeat's
/// sequence and time, the failed flag) are rows of the store's <c>Agents</c> table (<see cref="AgentRegistrationStore"/>),
/// so a restart keeps every agent, its secret and when it was last heard, and a second server process sees the same:
/// agents keep heartbeating and are not asked to join again. The reports themselves (the VMs an agent runs, its load)
/// are readings, refreshed by every heartbeat, and are kept in memory.</summary>
public sealed class AgentRegistry : IAgentDirectory
{
    private readonly AgentRegistrationStore _store;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Report> _reports = [];

    /// <summary>The last report applied for one agent, and the newest generation applied.</summary>
    private sealed class Report
    {
        public long AppliedGeneration { get; set; }
        public AgentStatus? Last { get; set; }
    }

    public AgentRegistry(AgentRegistrationStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        _startedAt = time.GetUtcNow();
    }

    /// <summary>Registers (or re-registers) the agent of host <paramref name="host"/> with a new secret.</summary>
    public AgentRecord Register(HostId host, string name, string url)
    {
        var now = _time.GetUtcNow();
        var record = new AgentRecord(host.Value, name, url, AgentSignature.NewSecret(), now);
        _store.Register(new AgentRegistrationRecord
        {
            Id = record.Id, Name = name, Url = url, Secret = record.Secret, RegisteredAt = now, LastHeardAt = now,
        });
        lock (_lock) _reports.Remove(host.Value);
        return record;
    }

    public AgentRecord? Find(Guid id) => _store.Find(id) is { } r ? ToRecord(r) : null;

    public IReadOnlyList<AgentRecord> All => [.. _store.All().Select(ToRecord)];

    /// <summary>Null when accepted; else why the heartbeat is stale (its sequence is not newer than the last one's).</summary>
    public string? AcceptHeartbeat(Guid id, AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!_store.AcceptHeartbeat(id, status.Sequence, _time.GetUtcNow()))
            return _store.Find(id) is { } r
                ? $"stale heartbeat (sequence {status.Sequence}, last accepted {r.LastSequence})"
                : "unknown agent";
        Apply(id, status, force: false);
        return null;
    }

    /// <summary>A report fetched right after an operation: it is the newest view of that agent.</summary>
    public void ApplyFresh(Guid id, AgentStatus status)
    {
        _store.Heard(id, _time.GetUtcNow());
        Apply(id, status, force: true);
    }

    private void Apply(Guid id, AgentStatus status, bool force)
    {
        lock (_lock)
        {
            if (!_reports.TryGetValue(id, out var r)) _reports[id] = r = new Report();
            // A report whose generation is older than one already applied may predate an operation the server saw finish.
            if (!force && status.Generation < r.AppliedGeneration) return;
            r.AppliedGeneration = Math.Max(r.AppliedGeneration, status.Generation);
            r.Last = status;
        }
    }

    /// <summary>The agent that last reported <paramref name="vm"/>, if any (failed hosts excluded).</summary>
    public AgentRecord? HolderOf(VmId vm)
    {
        List<Guid> holders;
        lock (_lock)
            holders = [.. _reports.Where(r => r.Value.Last is { } s && s.Vms.Any(v => v.Vm == vm.Value)).Select(r => r.Key)];
        if (holders.Count == 0) return null;
        return _store.All().Where(r => !r.Failed && holders.Contains(r.Id)).Select(ToRecord).FirstOrDefault();
    }

    /// <summary>Snapshot for telemetry and the health monitor. After a server start every agent gets a full heartbeat
    /// timeout before it can be judged (its last heartbeat is counted from the start at the earliest), as it did while
    /// the server was down through no fault of its own.</summary>
    public IReadOnlyList<AgentView> Views()
    {
        var rows = _store.All();
        lock (_lock) return [.. rows.Select(ViewOf)];
    }

    /// <summary>One agent's view (as in <see cref="Views"/>), or null when it is not registered: one row read.</summary>
    public AgentView? View(Guid id)
    {
        var row = _store.Find(id);
        if (row is null) return null;
        lock (_lock) return ViewOf(row);
    }

    /// <summary>Call under <c>_lock</c>.</summary>
    private AgentView ViewOf(AgentRegistrationRecord r) => new(ToRecord(r), r.LastHeardAt > _startedAt ? r.LastHeardAt : _startedAt, r.Failed,
        _reports.TryGetValue(r.Id, out var rep) ? rep.Last : null);

    /// <summary>Sets the failed flag; returns true when this call changed it.</summary>
    public bool SetFailed(Guid id, bool failed) => _store.SetFailed(id, failed);

    private static AgentRecord ToRecord(AgentRegistrationRecord r) => new(r.Id, r.Name, r.Url, r.Secret, r.RegisteredAt);
}
