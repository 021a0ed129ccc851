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
        _written.TryRemove(host.Value, out _); // the store drops its report: the next heartbeat's is due
        _store.Register(new AgentRegistrationRecord
        {
            Id = record.Id, Name = name, Url = url, Secret = record.Secret, RegisteredAt = now, LastHeardAt = now,
        });
        return record;
    }

    public AgentRecord? Find(Guid id) => _store.Find(id) is { } r ? ToRecord(r) : null;

    public IReadOnlyList<AgentRecord> All => [.. _store.All().Select(ToRecord)];

    /// <summary>How old the stored report of an agent whose VMs did not change may get. An accepted heartbeat stores its
    /// report when the agent's generation or its VMs (ids, states, running) differ from the last report this process
    /// stored for it, or when that one is this old; otherwise it stores only the liveness (sequence, time), so the
    /// report's loads and rates in the store lag by up to this much. At 1,000 agents heartbeating every 2 s that is one
    /// report write in five instead of every one (bench/Octopus.Bench.StoreWrites). With replicas each remembers only
    /// what it wrote: a VM's change that another replica stored meanwhile and that reverts can stay behind for up to this
    /// long.</summary>
    public static readonly TimeSpan ReportRefresh = TimeSpan.FromSeconds(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, WrittenReport> _written = new();

    private sealed record WrittenReport(DateTimeOffset At, long Generation, string Vms);

    /// <summary>Null when accepted; else why the heartbeat is stale (its sequence is not newer than the last one's). An
    /// accepted heartbeat's report replaces the stored one unless its generation is older than the newest applied, or
    /// it is not due (<see cref="ReportRefresh"/>).
    /// The heartbeat is committed with the others that arrive meanwhile (a group commit,
    /// <see cref="AgentRegistrationStore.AcceptHeartbeatAsync"/>); the task completes once its commit is done.</summary>
    public async Task<string?> AcceptHeartbeatAsync(Guid id, AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = _time.GetUtcNow();
        var vms = VmsOf(status);
        var due = !_written.TryGetValue(id, out var last) || last.Generation != status.Generation || last.Vms != vms || now - last.At >= ReportRefresh;
        if (!await _store.AcceptHeartbeatAsync(id, status.Sequence, now, status.Generation, due ? JsonSerializer.Serialize(status, ReportJson) : null))
            return _store.Find(id) is { } r
                ? $"stale heartbeat (sequence {status.Sequence}, last accepted {r.LastSequence})"
                : "unknown agent";
        if (due) _written[id] = new WrittenReport(now, status.Generation, vms);
        return null;
    }

    /// <summary>A report fetched right after an operation: it is the newest view of that agent.</summary>
    public void ApplyFresh(Guid id, AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = _time.GetUtcNow();
        _store.ApplyFresh(id, now, status.Generation, JsonSerializer.Serialize(status, ReportJson));
        _written[id] = new WrittenReport(now, status.Generation, VmsOf(status));
    }

    /// <summary>What a report says that must reach the store at once: each VM, its state and whether it runs.</summary>
    private static string VmsOf(AgentStatus status) =>
        string.Join(';', status.Vms.Select(v => $"{v.Vm:N}|{v.State}|{(v.Running ? 1 : 0)}"));

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
