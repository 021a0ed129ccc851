using System.Globalization;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Services;

/// <summary>Which checkpoints of a VM to keep. A checkpoint survives when either rule keeps it (the union), so adding
/// a rule can only keep more. At least one rule must be set.</summary>
/// <param name="KeepLast">Keep the newest N checkpoints (N ≥ 0).</param>
/// <param name="NewerThan">Keep every checkpoint taken less than this long ago.</param>
public sealed record CheckpointRetention(int? KeepLast = null, TimeSpan? NewerThan = null)
{
    public CheckpointRetention Validate()
    {
        if (KeepLast is null && NewerThan is null)
            throw DomainException.Invalid("retention", "A checkpoint retention needs KeepLast, NewerThan or both.");
        if (KeepLast is < 0) throw DomainException.Invalid(nameof(KeepLast), $"KeepLast must be 0 or more, not {KeepLast}.");
        if (NewerThan is { } t && t < TimeSpan.Zero) throw DomainException.Invalid(nameof(NewerThan), $"NewerThan must not be negative, not {t}.");
        return this;
    }

    /// <summary>Whether the checkpoint at position <paramref name="newestFirstIndex"/> (0 = newest) is kept.</summary>
    public bool Keeps(int newestFirstIndex, DateTimeOffset takenAt, DateTimeOffset now) =>
        (KeepLast is { } n && newestFirstIndex < n) || (NewerThan is { } t && now - takenAt < t);
}

/// <summary>Checkpoints: snapshots a policy takes, named automatically, pruned by retention. The policy engine calls
/// these as ordinary operations; a user sees checkpoints in the snapshot tree and can revert to them.</summary>
public sealed class CheckpointService
{
    private readonly DiskStore _store;
    private readonly DiskTreeService _tree;

    internal CheckpointService(DiskStore store, DiskTreeService tree)
    {
        _store = store;
        _tree = tree;
    }

    /// <summary>Takes a checkpoint of the VM's current disk on behalf of <paramref name="policy"/>; named
    /// <c>cp-yyyyMMdd-HHmmss</c> (with a suffix when two land in the same second).</summary>
    public Task<Disk> CheckpointAsync(VmId vm, string policy, CancellationToken ct = default)
    {
        RequirePolicy(policy);
        return _store.ExclusiveAsync(async () => await FreezeAsync(vm, NextName(await _store.LoadTreeAsync(ct), vm, _store.Now), policy, null, ct), ct);
    }

    /// <summary>The name a checkpoint taken at <paramref name="at"/> gets: <c>cp-yyyyMMdd-HHmmss</c>, with a suffix
    /// when the VM already has a snapshot of that name.</summary>
    public async Task<SnapshotName> NameForAsync(VmId vm, DateTimeOffset at, CancellationToken ct = default) =>
        NextName(await _store.LoadTreeAsync(ct), vm, at);

    /// <summary>Takes the checkpoint <paramref name="name"/> of the VM's current disk for <paramref name="policy"/> (an
    /// operation's step): live through <paramref name="switchTo"/> when a hypervisor holds the VM's file open, as files
    /// otherwise. Idempotent: when the VM already has that checkpoint (a run resumed after a crash), returns it and changes
    /// nothing.</summary>
    public Task<Disk> CheckpointAsync(VmId vm, SnapshotName name, string policy, LiveDiskSwitch? switchTo, CancellationToken ct = default)
    {
        RequirePolicy(policy);
        return _store.ExclusiveAsync(async () =>
            (await _store.LoadTreeAsync(ct)).SnapshotOf(vm, name) is { Role: DiskRole.Checkpoint } taken
                ? taken
                : await FreezeAsync(vm, name, policy, switchTo, ct), ct);
    }

    /// <summary>Freezes the VM's leaf as checkpoint <paramref name="name"/> and continues on a new child. Call inside
    /// <see cref="DiskStore.ExclusiveAsync{T}"/>.</summary>
    private Task<Disk> FreezeAsync(VmId vm, SnapshotName name, string policy, LiveDiskSwitch? switchTo, CancellationToken ct)
    {
        var info = new CheckpointInfo(policy, _store.Now);
        return _tree.FreezeAndContinueAsync(vm, name, leaf => leaf.FreezeAsCheckpoint(name, info),
            $"{(switchTo is null ? "" : "live ")}checkpoint vm {vm} as '{name}' for {policy}", ct, switchTo);
    }

    private static void RequirePolicy(string policy)
    {
        if (string.IsNullOrWhiteSpace(policy)) throw DomainException.Invalid("policy", "A checkpoint must name the policy that takes it.");
    }

    private static SnapshotName NextName(DiskTree tree, VmId vm, DateTimeOffset at)
    {
        var stem = "cp-" + at.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var name = SnapshotName.Parse(stem);
        for (var i = 2; tree.SnapshotOf(vm, name) is not null; i++) name = SnapshotName.Parse($"{stem}-{i}");
        return name;
    }

    /// <summary>Releases the VM's checkpoints the retention does not keep; user snapshots are never touched.
    /// Returns the released checkpoints (their data goes once nothing backs onto them).</summary>
    public Task<IReadOnlyList<Disk>> ApplyRetentionAsync(VmId vm, CheckpointRetention retention, CancellationToken ct = default)
    {
        retention.Validate();
        return _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            var now = _store.Now;
            var checkpoints = tree.SnapshotsOf(vm).Where(d => d.Role == DiskRole.Checkpoint)
                .OrderByDescending(d => d.Checkpoint!.TakenAt).ThenByDescending(d => d.Id.Value).ToList();
            var released = checkpoints
                .Where((d, i) => !retention.Keeps(i, d.Checkpoint!.TakenAt, now))
                .Select(d => d.Release())
                .ToList();
            if (released.Count > 0) await _store.CommitAsync(tree, new CatalogChange { Upserts = released }, ct);
            return (IReadOnlyList<Disk>)released;
        }, ct);
    }
}
