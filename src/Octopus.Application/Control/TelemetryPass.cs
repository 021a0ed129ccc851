using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Operations;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;

namespace Octopus.Application.Control;

/// <summary>Reads what the driver observes: host loads go to the store, VM loads to the <see cref="TelemetryCache"/>
/// (written to the store every <see cref="TelemetryCache.PersistEvery"/>), and every running VM's and every host's
/// reading to the <see cref="TelemetryHistory"/> (written once a minute).
/// A VM the store believes running but the hypervisor does not run (and no operation is touching) is marked Failed
/// with the reason, never silently "fixed"; a VM whose state changed after the driver was asked is judged next time.</summary>
public sealed partial class TelemetryPass(OctopusDbContext db, INodeDriverResolver nodes, TelemetryCache cache, TimeProvider time,
    ILogger<TelemetryPass> log, Power.PowerHistory power, TelemetryHistory history)
{
    public async Task RunAsync(CancellationToken ct)
    {
        // The observation is older than what the store says after it: a VM that started (or moved) after the driver was
        // asked is legitimately missing from it, so only VMs whose state is older than the observation are judged.
        var observedAt = time.GetUtcNow();
        var hosts = await db.Hosts.ToListAsync(ct);
        var seen = new List<NodeObservation>();
        var unseen = new HashSet<Domain.Hosts.HostId>(); // nodes that could not be asked: their VMs are not judged
        foreach (var host in hosts)
        {
            try { seen.Add(await nodes.For(host.Id).ObserveAsync(ct)); }
            catch (DriverException) { unseen.Add(host.Id); }
        }
        var hostLoads = seen.ToDictionary(h => h.Host, h => h.CpuLoad);
        foreach (var host in hosts)
            if (hostLoads.TryGetValue(host.Id, out var load)) host.ObserveLoad(new CpuLoad(load));
        power.Record(Power.PowerReading.From(hosts));

        var vmSeen = seen.SelectMany(n => n.Vms).GroupBy(v => v.Vm).ToDictionary(g => g.Key, g => g.First());
        foreach (var v in vmSeen.Values) cache.Set(v.Vm, v.CpuLoad);
        cache.Forget(vmSeen.Keys);
        history.Add(vmSeen.Values.Where(v => v.Running).Select(v => new VmReading(v.Vm, v.CpuLoad, v.Figures)),
            hosts.Select(h => new HostReading(h.Id, h.Load.Fraction, h.PowerDraw.Value)));

        var busy = (await db.Operations.AsNoTracking()
            .Where(o => o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running)
            .Select(o => o.VmId).ToListAsync(ct)).Where(v => v is not null).Select(v => v!.Value).ToHashSet();
        var now = time.GetUtcNow();
        // Every running VM is judged from three columns, untracked; only a VM found drifting is loaded to be changed (and
        // judged again on the row as it is then), so a pass over N running VMs tracks none in the usual case.
        var running = await db.Vms.AsNoTracking().Where(v => v.State == VmState.Running)
            .Select(v => new { v.Id, v.StateChangedAt, v.HostId }).ToListAsync(ct);
        var drifting = running.Where(v => Drift(v.Id, v.StateChangedAt, v.HostId) is not null).Select(v => v.Id).ToList();
        if (drifting.Count > 0)
        {
            foreach (var vm in await db.Vms.Where(v => drifting.Contains(v.Id)).ToListAsync(ct))
            {
                if (vm.State != VmState.Running || Drift(vm.Id, vm.StateChangedAt, vm.HostId) is not { } problem) continue;
                vm.Fail(problem, now);
                LogDrift(log, vm.Name.Value, problem);
            }
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear(); // a command changed a VM meanwhile; the next pass looks again
        }
        if (cache.PersistDue(now)) await cache.PersistAsync(db, now, ct);
        if (history.WriteDue) await history.WriteAsync(db, ct);

        string? Drift(VmId id, DateTimeOffset stateChangedAt, Domain.Hosts.HostId? host)
        {
            if (busy.Contains(id) || stateChangedAt >= observedAt || host is { } h && unseen.Contains(h)) return null;
            return !vmSeen.TryGetValue(id, out var obs) ? "the hypervisor no longer knows this VM"
                : !obs.Running ? "the VM stopped outside Octopus" : null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "VM {Vm} marked Failed: {Problem}")]
    private static partial void LogDrift(ILogger logger, string vm, string problem);
}
