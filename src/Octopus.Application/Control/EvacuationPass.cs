using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;

namespace Octopus.Application.Control;

/// <summary>Empties hosts in maintenance: each running VM on an On host in maintenance is live-migrated to the host
/// placement chooses (the maintenance filter already keeps the host itself out). When some have nowhere to go, the
/// switched-off hosts that would take them are powered on (<see cref="PowerOnForRoom"/>, as for pending VMs), and they
/// are tried again on the next pass. Stopped VMs stay where they are until maintenance ends.</summary>
public sealed partial class EvacuationPass(OctopusDbContext db, IPlacer placer, TimeProvider time, ILogger<EvacuationPass> log)
{
    /// <summary>Returns how many migrations were started.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var draining = await db.Hosts.AsNoTracking().Where(h => h.Maintenance && h.PowerState == HostPowerState.On).ToListAsync(ct);
        if (draining.Count == 0) return 0;
        var ids = draining.Select(h => (HostId?)h.Id).ToList();
        var vms = await db.Vms.Where(v => v.State == VmState.Running && ids.Contains(v.HostId)).ToListAsync(ct);
        if (vms.Count == 0) return 0;

        var views = await PlacementPass.SnapshotAsync(db, ct);
        var names = views.ToDictionary(h => h.Id, h => h.Name);
        var now = time.GetUtcNow();
        var started = 0;
        var reserved = new List<(HostId, PlacementRequest)>();
        var stuck = new List<PlacementRequest>();
        foreach (var (vm, decision) in Plan(placer, views, vms))
        {
            if (decision.ChosenHost is not { } to)
            {
                LogNoRoom(log, vm.Name.Value, decision.Summary);
                stuck.Add(PlacementRequest.For(vm));
                continue;
            }
            reserved.Add((to, PlacementRequest.For(vm)));
            Commands.OperationJournal.BeginMigration(db, vm, to, names[to], "maintenance", now);
            started++;
        }
        var wake = PowerOnForRoom.HostsToWake(placer, views, reserved, stuck);
        foreach (var host in wake.Count == 0 ? [] : await db.Hosts.Where(h => wake.Contains(h.Id)).ToListAsync(ct))
        {
            Commands.OperationJournal.BeginPowerChange(db, host, on: true, "scheduler", now);
            LogPoweringOn(log, host.Name);
        }
        await db.SaveChangesAsync(ct);
        return started;
    }

    /// <summary>Where each running VM on hosts in maintenance would go now, biggest first (they are the hardest to fit),
    /// each reservation counted before the next VM is placed: the pass migrates the ones with a host, and the hosts API
    /// shows the others' decisions as the reason a maintenance is waiting (one feasibility model for both).</summary>
    public static IReadOnlyList<(Vm Vm, PlacementDecision Decision)> Plan(IPlacer placer, IReadOnlyList<HostView> views, IEnumerable<Vm> running)
    {
        var state = PlacementState.From(views);
        var plan = new List<(Vm, PlacementDecision)>();
        foreach (var vm in running.OrderByDescending(v => v.Geometry.Memory).ThenBy(v => v.Name.Value, StringComparer.Ordinal))
        {
            var request = PlacementRequest.For(vm);
            var decision = placer.Place(request, state, explain: false);
            if (decision.ChosenHost is { } to) state.Reserve(to, request);
            plan.Add((vm, decision));
        }
        return plan;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "powering on {Host}: VMs leaving hosts in maintenance need its capacity")]
    private static partial void LogPoweringOn(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cannot evacuate {Vm} yet: {Summary}")]
    private static partial void LogNoRoom(ILogger logger, string vm, string summary);
}
