using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Policies.Snapshots;
using Octopus.Application.Control;
using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Policies;

/// <summary>What the store, the disk catalog and the CPU history say now, as one <see cref="PolicySnapshot"/>.</summary>
public sealed record PolicyWorld(PolicySnapshot Snapshot, IReadOnlyList<Vm> Vms, IReadOnlyList<Host> Hosts, IReadOnlyList<User> Users);

/// <summary>Builds the snapshot a policy evaluation (or preview) sees: every VM, host and user (read-only), the delete
/// warnings already sent, each VM's checkpoints (from the disk catalog) and the recent CPU history.</summary>
public sealed class PolicySnapshotBuilder(OctopusDbContext db, PolicyRuntimeState state, IServiceProvider services, TelemetryCache telemetry,
    Cluster.ReplicaLeadership leadership)
{
    /// <summary>The snapshot with the CPU histories of this process's working copy (the leader's pass).</summary>
    public Task<PolicyWorld> BuildAsync(DateTimeOffset now, CancellationToken ct) => BuildAsync(now, state.VmCpu.History, state.HostCpu.History, ct);

    /// <summary>The snapshot a preview evaluates: on the leader as its pass would see it; on a follower (whose working
    /// copy is not kept) with the CPU histories the store holds.</summary>
    public async Task<PolicyWorld> BuildForPreviewAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (leadership.Current is not null) return await BuildAsync(now, ct);
        var (vms, hosts) = await PolicyRuntimeStore.ReadHistoriesAsync(db, ct);
        return await BuildAsync(now, vms.History, hosts.History, ct);
    }

    private async Task<PolicyWorld> BuildAsync(DateTimeOffset now, Func<VmId, CpuHistory> vmCpu, Func<HostId, CpuHistory> hostCpu, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().ToListAsync(ct);
        var vms = await db.Vms.AsNoTracking().ToListAsync(ct);
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        var warnings = await db.PolicyWarnings.AsNoTracking().ToListAsync(ct);
        var names = users.ToDictionary(u => u.Id, u => u.Name);
        var checkpoints = await CheckpointsAsync(ct);

        var vmFacts = vms.Where(v => names.ContainsKey(v.OwnerId)).Select(v => PolicyFacts.From(v, names[v.OwnerId], vmCpu(v.Id),
            checkpoints.TryGetValue(v.Id, out var cps) ? cps : null)).ToList();
        var snapshot = new PolicySnapshot(now, vmFacts, hosts.Select(h => PolicyFacts.From(h, hostCpu(h.Id))).ToList(),
            users.Select(PolicyFacts.From).ToList(),
            warnings.Select(w => new WarningRecord(w.Policy, new VmId(w.VmId), w.SentAt, w.LeaseExpiresAt)).ToList());
        return new PolicyWorld(snapshot, vms, hosts, users);
    }

    /// <summary>Adds the latest telemetry to the CPU history, at most once per <see cref="PolicySettings.SampleEvery"/>:
    /// running VMs' loads as the telemetry pass cached them, hosts' loads as stored.</summary>
    public static void Sample(PolicyRuntimeState state, TelemetryCache telemetry, PolicyWorld world, DateTimeOffset now, TimeSpan every)
    {
        if (now - state.LastSample < every) return;
        state.LastSample = now;
        foreach (var vm in world.Vms)
            if (vm.State == VmState.Running) state.RecordVmCpu(vm.Id, now, telemetry.VmLoad(vm.Id) * 100);
            else if (vm.State is VmState.Suspended or VmState.Stopped) state.RecordVmCpu(vm.Id, now, 0);
        foreach (var host in world.Hosts)
            if (host.PowerState == HostPowerState.On) state.RecordHostCpu(host.Id, now, host.Load.Percent);
        state.VmCpu.Forget(world.Vms.Select(v => v.Id));
        state.HostCpu.Forget(world.Hosts.Select(h => h.Id));
    }

    public void Sample(PolicyWorld world, DateTimeOffset now, TimeSpan every) => Sample(state, telemetry, world, now, every);

    private async Task<Dictionary<VmId, List<Octopus.Policies.Snapshots.CheckpointInfo>>> CheckpointsAsync(CancellationToken ct)
    {
        var result = new Dictionary<VmId, List<Octopus.Policies.Snapshots.CheckpointInfo>>();
        if (services.GetService<IDiskCatalog>() is not { } catalog) return result;
        var catalogSnapshot = await catalog.LoadAsync(ct);
        foreach (var d in catalogSnapshot.Disks)
        {
            if (d.Role != DiskRole.Checkpoint || d.Vm is not { } vm || d.Checkpoint is not { } info) continue;
            if (!result.TryGetValue(vm, out var list)) result[vm] = list = [];
            list.Add(new Octopus.Policies.Snapshots.CheckpointInfo(d.Name?.ToString() ?? d.Id.ToString(), info.TakenAt, info.Policy));
        }
        return result;
    }
}
