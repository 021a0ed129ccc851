using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests;

/// <summary>Fluent builders for snapshots: <c>new SnapshotBuilder(now).User("alice").Host("h1").Vm("web", "alice", v => v.OnHost("h1"))</c>.</summary>
public sealed class SnapshotBuilder(DateTimeOffset now)
{
    private readonly List<VmBuilder> _vms = [];
    private readonly Dictionary<string, HostFacts> _hosts = [];
    private readonly List<UserFacts> _users = [];
    private readonly List<WarningRecord> _warnings = [];

    public DateTimeOffset Now => now;

    public SnapshotBuilder User(string name, UserRole role = UserRole.User)
    {
        _users.Add(new UserFacts(UserName.Parse(name), role));
        return this;
    }

    public SnapshotBuilder Admin(string name = "admin") => User(name, UserRole.Admin);

    /// <summary>A host; <paramref name="cpu"/> gives one sample per minute ending at now, oldest first.</summary>
    public SnapshotBuilder Host(string name, HostPowerState state = HostPowerState.On, double[]? cpu = null)
    {
        _hosts[name] = new HostFacts(Octopus.Domain.Hosts.HostId.New(), name, state, false, cpu is null ? CpuHistory.Empty : PerMinute(now, cpu));
        return this;
    }

    public SnapshotBuilder Vm(string name, string owner, Action<VmBuilder>? configure = null)
    {
        var b = new VmBuilder(name, owner, now);
        configure?.Invoke(b);
        _vms.Add(b);
        return this;
    }

    public SnapshotBuilder Warned(string policy, string vm, DateTimeOffset at, DateTimeOffset? leaseExpiresAt)
    {
        _warnings.Add(new WarningRecord(policy, _vms.Single(v => v.Name == vm).Id, at, leaseExpiresAt));
        return this;
    }

    public HostId HostId(string name) => _hosts[name].Id;
    public VmId VmId(string name) => _vms.Single(v => v.Name == name).Id;

    public PolicySnapshot Build(DateTimeOffset? at = null) => new(at ?? now,
        _vms.Select(v => v.Build(_hosts)).ToList(), _hosts.Values.ToList(), _users, _warnings);

    /// <summary>One sample per minute, the last one at <paramref name="end"/>.</summary>
    public static CpuHistory PerMinute(DateTimeOffset end, IReadOnlyList<double> percent) =>
        CpuHistory.From(percent.Select((p, i) => new CpuSample(end.AddMinutes(i - percent.Count + 1), p)));

    /// <summary>A constant load for <paramref name="minutes"/> minutes (minutes + 1 samples, so the window is covered).</summary>
    public static double[] Flat(double percent, int minutes) => Enumerable.Repeat(percent, minutes + 1).ToArray();
}

public sealed class VmBuilder(string name, string owner, DateTimeOffset now)
{
    private readonly List<string> _tags = [];
    private readonly List<CheckpointInfo> _checkpoints = [];
    private string? _host;
    private VmState _state = VmState.Running;
    private DateTimeOffset _created = now.AddDays(-1);
    private DateTimeOffset? _lease;
    private double[]? _cpu;
    private string _image = "ubuntu-24.04";

    public string Name => name;
    public VmId Id { get; } = VmId.New();

    public VmBuilder OnHost(string host) { _host = host; return this; }
    public VmBuilder State(VmState state) { _state = state; return this; }
    public VmBuilder Tags(params string[] tags) { _tags.AddRange(tags); return this; }
    public VmBuilder Created(DateTimeOffset at) { _created = at; return this; }
    public VmBuilder Lease(DateTimeOffset? expires) { _lease = expires; return this; }
    public VmBuilder Cpu(params double[] perMinute) { _cpu = perMinute; return this; }
    public VmBuilder Image(string image) { _image = image; return this; }
    public VmBuilder Checkpoint(string id, DateTimeOffset at, string? policy) { _checkpoints.Add(new CheckpointInfo(id, at, policy)); return this; }

    internal VmFacts Build(IReadOnlyDictionary<string, HostFacts> hosts) => new(Id, name, UserName.Parse(owner), _state, _tags, _image,
        _host is null ? null : hosts[_host].Id, _created, _created, _lease,
        _cpu is null ? CpuHistory.Empty : SnapshotBuilder.PerMinute(now, _cpu), 2, 4L << 30, _checkpoints);
}
