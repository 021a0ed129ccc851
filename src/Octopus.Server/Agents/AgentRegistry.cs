using System.Text.Json;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Server.Agents;

/// <summary>A registered agent as stored: its host id, where to reach it, and the secret both sides sign with.</summary>
public sealed record AgentRecord(Guid Id, string Name, string Url, string Secret, DateTimeOffset RegisteredAt)
{
    public HostId Host => new(Id);
    public Uri BaseUri => new(Url);
}

/// <summary>The registered agents and what their last reports said. Registrations are kept in <c>DATA/agents.json</c>
/// (written to a temporary file, flushed to disk, then renamed over the old one, so a crash leaves either the old or the
/// new file), so a server restart keeps every agent and its secret: agents keep heartbeating and are not asked to join
/// again. Chosen over an EF migration because the file has one writer (this class), is tiny and changes only on
/// registration; the reports themselves are readings and live in memory only.</summary>
public sealed class AgentRegistry
{
    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Runtime> _agents = [];

    /// <summary>One agent's record plus what the server last heard from it.</summary>
    private sealed class Runtime(AgentRecord record, DateTimeOffset lastHeard)
    {
        public AgentRecord Record { get; set; } = record;
        public DateTimeOffset LastHeard { get; set; } = lastHeard;
        public long LastSequence { get; set; }
        public long AppliedGeneration { get; set; }
        public AgentStatus? Last { get; set; }
        public bool Failed { get; set; }
    }

    public AgentRegistry(string file, TimeProvider time)
    {
        _file = file;
        _time = time;
        if (!File.Exists(file)) return;
        var records = JsonSerializer.Deserialize<List<AgentRecord>>(File.ReadAllText(file), SignedRequests.Json) ?? [];
        // After a server restart every agent gets a full heartbeat timeout before it can be marked failed.
        var now = time.GetUtcNow();
        foreach (var r in records) _agents[r.Id] = new Runtime(r, now);
    }

    /// <summary>Registers (or re-registers) the agent of host <paramref name="host"/> with a new secret.</summary>
    public AgentRecord Register(HostId host, string name, string url)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var record = new AgentRecord(host.Value, name, url, AgentSignature.NewSecret(), now);
            _agents[host.Value] = new Runtime(record, now);
            Save();
            return record;
        }
    }

    public AgentRecord? Find(Guid id)
    {
        lock (_lock) return _agents.TryGetValue(id, out var r) ? r.Record : null;
    }

    public IReadOnlyList<AgentRecord> All
    {
        get { lock (_lock) return [.. _agents.Values.Select(r => r.Record)]; }
    }

    /// <summary>Null when accepted; else why the heartbeat is stale (its sequence is not newer than the last one's).</summary>
    public string? AcceptHeartbeat(Guid id, AgentStatus status)
    {
        lock (_lock)
        {
            if (!_agents.TryGetValue(id, out var r)) return "unknown agent";
            if (status.Sequence <= r.LastSequence) return $"stale heartbeat (sequence {status.Sequence}, last accepted {r.LastSequence})";
            r.LastSequence = status.Sequence;
            r.LastHeard = _time.GetUtcNow();
            Apply(r, status, force: false);
            return null;
        }
    }

    /// <summary>A report fetched right after an operation: it is the newest view of that agent.</summary>
    public void ApplyFresh(Guid id, AgentStatus status)
    {
        lock (_lock)
        {
            if (!_agents.TryGetValue(id, out var r)) return;
            r.LastHeard = _time.GetUtcNow();
            Apply(r, status, force: true);
        }
    }

    private static void Apply(Runtime r, AgentStatus status, bool force)
    {
        // A report whose generation is older than one already applied may predate an operation the server saw finish.
        if (!force && status.Generation < r.AppliedGeneration) return;
        r.AppliedGeneration = Math.Max(r.AppliedGeneration, status.Generation);
        r.Last = status;
    }

    /// <summary>The agent that last reported <paramref name="vm"/>, if any (failed hosts excluded).</summary>
    public AgentRecord? HolderOf(VmId vm)
    {
        lock (_lock)
            return _agents.Values.FirstOrDefault(r => !r.Failed && r.Last is { } s && s.Vms.Any(v => v.Vm == vm.Value))?.Record;
    }

    /// <summary>Snapshot for telemetry and the health monitor.</summary>
    public IReadOnlyList<AgentView> Views()
    {
        lock (_lock)
            return [.. _agents.Values.Select(r => new AgentView(r.Record, r.LastHeard, r.Failed, r.Last))];
    }

    /// <summary>Sets the failed flag; returns true when it changed.</summary>
    public bool SetFailed(Guid id, bool failed)
    {
        lock (_lock)
        {
            if (!_agents.TryGetValue(id, out var r) || r.Failed == failed) return false;
            r.Failed = failed;
            return true;
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temp = _file + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, _agents.Values.Select(r => r.Record).ToList(), SignedRequests.Json);
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, _file, overwrite: true);
    }
}

/// <summary>What the server knows of one agent right now.</summary>
public sealed record AgentView(AgentRecord Record, DateTimeOffset LastHeard, bool Failed, AgentStatus? Last);
