using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;

namespace Octopus.Server.Control;

/// <summary>Empties hosts in maintenance: each running VM on an On host in maintenance is live-migrated to the host
/// placement chooses (the maintenance filter already keeps the host itself out). VMs with nowhere to go stay and are
/// tried again on the next pass. Stopped VMs stay where they are until maintenance ends.</summary>
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
        var state = PlacementState.From(views);
        var now = time.GetUtcNow();
        var started = 0;
        foreach (var vm in vms.OrderByDescending(v => v.Geometry.Memory)) // biggest first: they are the hardest to fit
        {
            var request = PlacementRequest.For(vm);
            var decision = placer.Place(request, state, explain: false);
            if (decision.ChosenHost is not { } to)
            {
                LogNoRoom(log, vm.Name.Value, decision.Summary);
                continue;
            }
            state.Reserve(to, request);
            Commands.OperationJournal.BeginMigration(db, vm, to, names[to], "maintenance", now);
            started++;
        }
        await db.SaveChangesAsync(ct);
        return started;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot evacuate {Vm} yet: {Summary}")]
    private static partial void LogNoRoom(ILogger logger, string vm, string summary);
}
