using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Scheduling.Placement;
using Octopus.Application.Commands;

namespace Octopus.Application.Control;

/// <summary>Places pending VMs, oldest first, through the placement pipeline. A placed VM holds its host's resources
/// at once (Creating) and its create operation is journaled in the same save; a VM that fits nowhere stays Pending
/// with the decision's summary as its reason, and is tried again on every pass until capacity appears.</summary>
public sealed partial class PlacementPass(OctopusDbContext db, IPlacer placer, TimeProvider time, Observability.IControlPlaneMetrics metrics,
    ILogger<PlacementPass> log)
{
    /// <summary>Returns how many VMs were placed.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var pending = await db.Vms.Where(v => v.State == VmState.Pending && v.Spec != VmPowerSpec.Deleted)
            .ToListAsync(ct);
        if (pending.Count == 0) return 0;
        pending.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));

        var views = await SnapshotAsync(db, ct);
        var state = PlacementState.From(views);
        // Only the pending VMs' records: a placed VM's decision is history, never read by a pass.
        var pendingIds = pending.Select(v => v.Id).ToList();
        var records = await db.Placements.Where(p => pendingIds.Contains(p.VmId)).ToDictionaryAsync(p => p.VmId, ct);
        var now = time.GetUtcNow();
        var reserved = new List<(HostId, PlacementRequest)>();
        var placedVms = new List<Vm>();
        foreach (var vm in pending)
        {
            var request = PlacementRequest.For(vm);
            // The fast path decides and its summary is what is stored; `vm explain` works the per-host explanation out
            // when asked, so no pass pays for it.
            var started = time.GetTimestamp();
            var decision = placer.Place(request, state, explain: false);
            metrics.ObservePlacement(time.GetElapsedTime(started));
            Remember(records, vm, decision, now);
            if (decision.ChosenHost is { } host)
            {
                state.Reserve(host, request);
                reserved.Add((host, request));
                vm.Place(host, now);
                placedVms.Add(vm);
                LogPlaced(log, vm.Name.Value, decision.ChosenHostName ?? host.ToString(), decision.Summary);
            }
            else
            {
                vm.StayPending(decision.Summary);
            }
        }
        // Each placed VM's create operation, journaled in the same save as its placement (one query for the batch).
        await OperationJournal.EnsureAllAsync(db, placedVms, "scheduler", now, ct);
        await PowerOnForPendingAsync(views, reserved, pending.Where(v => v.State == VmState.Pending).ToList(), now, ct);
        await db.SaveChangesAsync(ct);
        return placedVms.Count;
    }

    /// <summary>Powers on the hosts that the still-pending VMs need (<see cref="PowerOnForRoom"/>).</summary>
    private async Task PowerOnForPendingAsync(IReadOnlyList<HostView> views, List<(HostId, PlacementRequest)> reserved, List<Vm> stillPending,
        DateTimeOffset now, CancellationToken ct)
    {
        var wake = PowerOnForRoom.HostsToWake(placer, views, reserved, stillPending.Select(PlacementRequest.For));
        if (wake.Count == 0) return;
        foreach (var host in await db.Hosts.Where(h => wake.Contains(h.Id)).ToListAsync(ct))
        {
            OperationJournal.BeginPowerChange(db, host, on: true, "scheduler", now);
            LogPoweringOn(log, host.Name);
        }
    }

    /// <summary>The cluster as placement sees it: each host with what its VMs hold (every VM with a host holds its
    /// geometry there, running or not, as in Nova).</summary>
    public static async Task<IReadOnlyList<HostView>> SnapshotAsync(OctopusDbContext db, CancellationToken ct)
    {
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        var byHost = await HeldByHostAsync(db, ct);
        // A migrating VM holds its geometry on the destination too, until the migration ends (as in CloudSim and Nova).
        var migrating = await db.Operations.AsNoTracking()
            .Where(o => o.Kind == OperationKind.MigrateVm && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running))
            .Select(o => new { o.VmId, o.TargetHostId }).ToListAsync(ct);
        if (migrating.Count > 0)
        {
            var geometries = await db.Vms.AsNoTracking().Where(v => v.State == VmState.Migrating).ToDictionaryAsync(v => v.Id, v => v.Geometry, ct);
            foreach (var m in migrating)
            {
                if (m.VmId is not { } id || m.TargetHostId is not { } to || !geometries.TryGetValue(id, out var g)) continue;
                byHost[to] = byHost.GetValueOrDefault(to, HostAllocation.None).Add(g.Cores, g.Memory, g.Disk);
            }
        }
        return hosts.Select(h => new HostView(h.Id, h.Name, h.Capacity, byHost.GetValueOrDefault(h.Id, HostAllocation.None),
            h.PowerState, h.Maintenance, h.Load)).ToList();
    }

    /// <summary>What the VMs on each host hold, summed in SQL: one row per host, so a pass reads as many rows as there
    /// are hosts in use, not one per placed VM. Raw SQL because EF cannot sum value-converted columns
    /// (<see cref="Domain.Units.ByteSize"/>), as in <see cref="VmCommands.UsageAsync"/>.</summary>
    internal static async Task<Dictionary<HostId, HostAllocation>> HeldByHostAsync(OctopusDbContext db, CancellationToken ct)
    {
        const string sql = """
            SELECT "HostId", CAST(COUNT(*) AS BIGINT) AS "Vms", CAST(SUM("Cores") AS BIGINT) AS "Cores",
                   CAST(SUM("MemoryBytes") AS BIGINT) AS "Memory", CAST(SUM("DiskBytes") AS BIGINT) AS "Disk"
            FROM "Vms" WHERE "HostId" IS NOT NULL GROUP BY "HostId"
            """;
        var rows = await db.Database.SqlQueryRaw<HeldRow>(sql).ToListAsync(ct);
        return rows.ToDictionary(r => new HostId(r.HostId),
            r => new HostAllocation(checked((int)r.Cores), new Domain.Units.ByteSize(r.Memory), new Domain.Units.ByteSize(r.Disk), checked((int)r.Vms)));
    }

    private sealed class HeldRow
    {
        public Guid HostId { get; set; }
        public long Vms { get; set; }
        public long Cores { get; set; }
        public long Memory { get; set; }
        public long Disk { get; set; }
    }

    private void Remember(Dictionary<VmId, PlacementRecord> records, Vm vm, PlacementDecision decision, DateTimeOffset now)
    {
        if (records.TryGetValue(vm.Id, out var record))
        {
            if (record.Summary == decision.Summary) return; // same answer as last pass: keep the write off the hot path
        }
        else
        {
            record = new PlacementRecord { VmId = vm.Id };
            records[vm.Id] = record;
            db.Placements.Add(record);
        }
        record.DecidedAt = now;
        record.Summary = decision.Summary;
        record.DecisionJson = PlacementSummary.From(decision).ToJson();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "powering on {Host}: pending VMs need its capacity")]
    private static partial void LogPoweringOn(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "placed {Vm} on {Host}: {Summary}")]
    private static partial void LogPlaced(ILogger logger, string vm, string host, string summary);
}
