using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Policies.Snapshots;

/// <summary>Everything a policy evaluation may look at, frozen at one instant: VMs, hosts, users, the warnings policies
/// have already sent, and the time. Immutable; the indexes it builds are what keep 100 policies over 10,000 VMs cheap.</summary>
public sealed class PolicySnapshot
{
    private readonly Dictionary<VmId, VmEntry> _vmById;
    private readonly Dictionary<HostId, HostFacts> _hostById;
    private readonly Dictionary<string, HostFacts> _hostByName;
    private readonly Dictionary<UserName, UserFacts> _userByName;
    private readonly Dictionary<UserName, List<VmEntry>> _vmsByOwner;
    private readonly Dictionary<HostId, List<VmEntry>> _vmsByHost;
    private readonly Dictionary<string, List<VmEntry>> _vmsByTag;
    private readonly Dictionary<(string Policy, VmId Vm), WarningRecord> _warnings;

    public PolicySnapshot(DateTimeOffset now, IReadOnlyList<VmFacts> vms, IReadOnlyList<HostFacts> hosts, IReadOnlyList<UserFacts> users,
        IReadOnlyList<WarningRecord>? warnings = null)
    {
        Now = now;
        Vms = vms;
        Hosts = hosts;
        Users = users;
        Warnings = warnings ?? [];
        EnsureUnique(vms.Select(v => v.Id.ToString()), "VM id");
        EnsureUnique(hosts.Select(h => h.Id.ToString()), "host id");
        EnsureUnique(users.Select(u => u.Name.Value), "user name");
        _hostById = hosts.ToDictionary(h => h.Id);
        _hostByName = hosts.GroupBy(h => h.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _userByName = users.ToDictionary(u => u.Name);
        var hostCounts = vms.Where(v => v.Host is not null).GroupBy(v => v.Host!.Value).ToDictionary(g => g.Key, g => g.Count());
        Entries = vms.Select((v, i) => new VmEntry(v, v.Host is { } h ? _hostById.GetValueOrDefault(h) : null, _userByName.GetValueOrDefault(v.Owner),
            v.Host is { } hh ? hostCounts[hh] : 0, i)).ToArray();
        _vmById = Entries.ToDictionary(e => e.Vm.Id);
        _vmsByOwner = Entries.GroupBy(e => e.Vm.Owner).ToDictionary(g => g.Key, g => g.ToList());
        _vmsByHost = Entries.Where(e => e.Vm.Host is not null).GroupBy(e => e.Vm.Host!.Value).ToDictionary(g => g.Key, g => g.ToList());
        _vmsByTag = Entries.SelectMany(e => e.Vm.Tags.Distinct().Select(t => (t, e))).GroupBy(p => p.t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.e).ToList(), StringComparer.Ordinal);
        _warnings = new Dictionary<(string, VmId), WarningRecord>();
        foreach (var w in Warnings)
            if (!_warnings.TryGetValue((w.Policy, w.Vm), out var seen) || seen.SentAt < w.SentAt) _warnings[(w.Policy, w.Vm)] = w;
    }

    private static void EnsureUnique(IEnumerable<string> keys, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in keys)
            if (!seen.Add(k)) throw new ArgumentException($"The snapshot lists {what} '{k}' twice; each must appear once.");
    }

    /// <summary>Each VM with its host, owner and host VM count resolved once, so the evaluation loop does no lookups.</summary>
    internal IReadOnlyList<VmEntry> Entries { get; }

    /// <summary>The instant the snapshot describes; every age, idle time and lease is measured from it.</summary>
    public DateTimeOffset Now { get; }
    public IReadOnlyList<VmFacts> Vms { get; }
    public IReadOnlyList<HostFacts> Hosts { get; }
    public IReadOnlyList<UserFacts> Users { get; }

    /// <summary>Warnings already sent by delete actions (see <see cref="WarningRecord"/>); the engine deletes only after one.</summary>
    public IReadOnlyList<WarningRecord> Warnings { get; }

    public VmFacts? FindVm(VmId id) => _vmById.GetValueOrDefault(id)?.Vm;
    public HostFacts? FindHost(HostId id) => _hostById.GetValueOrDefault(id);
    public HostFacts? FindHost(string name) => _hostByName.GetValueOrDefault(name);
    public UserFacts? FindUser(UserName name) => _userByName.GetValueOrDefault(name);

    public IReadOnlyList<VmFacts> VmsOwnedBy(UserName owner) => OwnedBy(owner).Select(e => e.Vm).ToList();
    public IReadOnlyList<VmFacts> VmsOn(HostId host) => On(host).Select(e => e.Vm).ToList();
    public IReadOnlyList<VmFacts> VmsTagged(string tag) => Tagged(tag).Select(e => e.Vm).ToList();

    internal VmEntry? Entry(VmId id) => _vmById.GetValueOrDefault(id);
    internal IReadOnlyList<VmEntry> OwnedBy(UserName owner) => _vmsByOwner.TryGetValue(owner, out var l) ? l : [];
    internal IReadOnlyList<VmEntry> On(HostId host) => _vmsByHost.TryGetValue(host, out var l) ? l : [];
    internal IReadOnlyList<VmEntry> Tagged(string tag) => _vmsByTag.TryGetValue(tag, out var l) ? l : [];

    /// <summary>The latest warning <paramref name="policy"/> sent about <paramref name="vm"/>, if any.</summary>
    public WarningRecord? LatestWarning(string policy, VmId vm) => _warnings.GetValueOrDefault((policy, vm));
}

/// <summary>A VM with what the engine resolves about it once per snapshot; <paramref name="Index"/> is its position in
/// <see cref="PolicySnapshot.Entries"/>.</summary>
internal sealed record VmEntry(VmFacts Vm, HostFacts? Host, UserFacts? User, int HostVmCount, int Index);

/// <summary>A VM as policies see it.</summary>
/// <param name="Owner">The user who owns it; user-scoped policies can only ever touch their owner's VMs.</param>
/// <param name="Host">The host it is on; null while pending.</param>
/// <param name="LeaseExpiresAt">When its lease ends; null for no lease.</param>
/// <param name="Cpu">Recent CPU usage, oldest sample first.</param>
/// <param name="Checkpoints">Checkpoints that exist for this VM, so checkpoint actions can say which ones retention prunes.</param>
public sealed record VmFacts(VmId Id, string Name, UserName Owner, VmState State, IReadOnlyList<string> Tags, string Image, HostId? Host,
    DateTimeOffset CreatedAt, DateTimeOffset StateChangedAt, DateTimeOffset? LeaseExpiresAt, CpuHistory Cpu, int Cores = 1,
    long MemoryBytes = 0, IReadOnlyList<CheckpointInfo>? Checkpoints = null)
{
    public IReadOnlyList<CheckpointInfo> Checkpoints { get; init; } = Checkpoints ?? [];

    /// <summary>The id as text, made once so conditions reading vm.id do not allocate.</summary>
    internal string IdText { get; } = Id.ToString();
}

/// <summary>A host as policies see it. <paramref name="State"/> is its power state; maintenance is a separate flag.</summary>
public sealed record HostFacts(HostId Id, string Name, HostPowerState State, bool Maintenance, CpuHistory Cpu);

/// <summary>A user as policies see it.</summary>
public sealed record UserFacts(UserName Name, UserRole Role)
{
    public bool IsAdmin => Role == UserRole.Admin;
}

/// <summary>A checkpoint (a policy-made snapshot) of a VM. <paramref name="Policy"/> is the policy that made it, or null
/// for a user's own snapshot, which retention never prunes.</summary>
public sealed record CheckpointInfo(string Id, DateTimeOffset CreatedAt, string? Policy);

/// <summary>A warning a delete action sent before deleting: <paramref name="LeaseExpiresAt"/> is the VM's lease expiry
/// when it was sent, so extending the lease makes the old warning void and a new one must precede any delete.</summary>
public sealed record WarningRecord(string Policy, VmId Vm, DateTimeOffset SentAt, DateTimeOffset? LeaseExpiresAt);
