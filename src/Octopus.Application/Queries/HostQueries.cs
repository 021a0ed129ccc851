using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Commands;

using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Queries;

/// <summary>Reads hosts with what their VMs hold. Every user may list hosts (capacity is not secret); VM names on a
/// host are shown only to admins and to the VMs' owners.</summary>
public sealed class HostQueries(OctopusDbContext db, Scheduling.Placement.IPlacer placer)
{
    public async Task<IReadOnlyList<HostDto>> ListAsync(Auth.Caller caller, CancellationToken ct)
    {
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        var vms = await db.Vms.AsNoTracking().Where(v => v.HostId != null).ToListAsync(ct);
        var byHost = vms.GroupBy(v => v.HostId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        // How hosts are switched (BMC addresses, users) is for admins only; the password is never shown.
        var power = caller.IsAdmin ? await db.PowerBindings.AsNoTracking().ToDictionaryAsync(p => p.HostId, ct) : [];
        var operations = caller.IsAdmin ? await LatestPowerOperationsAsync(ct) : [];
        var blocked = await BlockedEvacuationsAsync(hosts, vms, ct);
        var poweringOn = hosts.Where(h => h.PowerState == HostPowerState.PoweringOn).Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
        return [.. hosts.OrderBy(h => h.Name, StringComparer.Ordinal).Select(h =>
        {
            var mine = byHost.GetValueOrDefault(h.Id) ?? [];
            var alloc = mine.Aggregate(HostAllocation.None, (a, v) => a.Add(v.Geometry.Cores, v.Geometry.Memory, v.Geometry.Disk));
            var visible = mine.Where(v => caller.IsAdmin || v.OwnerId == caller.Id).Select(v => v.Name.Value).Order(StringComparer.Ordinal).ToList();
            return Dto.From(h, alloc, visible) with
            {
                PowerConfig = power.TryGetValue(h.Id, out var binding) ? Power.PowerConfigCommands.ToDto(binding) : null,
                PowerOperation = operations.TryGetValue(h.Id, out var op) ? ToDto(op) : null,
                MaintenanceStatus = h.Maintenance ? Maintenance(caller, h, mine, blocked, poweringOn) : null,
            };
        })];
    }

    /// <summary>The running VMs on On hosts in maintenance that the evacuation pass cannot move yet, with the placement
    /// decision that says why (the pass's own plan, worked out on the same cluster snapshot).</summary>
    private async Task<Dictionary<VmId, string>> BlockedEvacuationsAsync(List<Host> hosts, List<Vm> vms, CancellationToken ct)
    {
        var draining = hosts.Where(h => h.Maintenance && h.PowerState == HostPowerState.On).Select(h => h.Id).ToHashSet();
        var running = vms.Where(v => v.State == VmState.Running && draining.Contains(v.HostId!.Value)).ToList();
        if (running.Count == 0) return [];
        var views = await Control.PlacementPass.SnapshotAsync(db, ct);
        return Control.EvacuationPass.Plan(placer, views, running).Where(p => !p.Decision.Placed)
            .ToDictionary(p => p.Vm.Id, p => p.Decision.Summary);
    }

    /// <summary>What a host in maintenance is doing or waiting for: its running VMs move off one by one (live migration,
    /// a pass a second); the ones with nowhere to go are named with the scheduler's reason, and the hosts powering on
    /// to take them (the evacuation pass switches them on) are named; stopped VMs stay.</summary>
    private static HostMaintenanceDto Maintenance(Auth.Caller caller, Host h, List<Vm> mine, Dictionary<VmId, string> blocked,
        List<string> poweringOn)
    {
        var running = mine.Where(v => v.State == VmState.Running).ToList();
        var moving = mine.Count(v => v.State == VmState.Migrating);
        var others = mine.Count - running.Count - moving;
        var waiting = running.Where(v => blocked.ContainsKey(v.Id)).ToList();
        var visible = waiting.Where(v => caller.IsAdmin || v.OwnerId == caller.Id).OrderBy(v => v.Name.Value, StringComparer.Ordinal)
            .Select(v => new MaintenanceWaitDto(v.Id.ToString(), v.Name.Value, blocked[v.Id])).ToList();
        string summary;
        if (running.Count + moving == 0)
            summary = others == 0 ? "Drained: no VM left on this host." : $"Drained: no running VM left; {others} VM(s) that are not running stay here until maintenance ends.";
        else if (h.PowerState != HostPowerState.On)
            summary = $"Waiting: {running.Count + moving} running VM(s) move off once the host is On (it is {h.PowerState}).";
        else
        {
            var parts = new List<string>();
            if (moving > 0) parts.Add($"{moving} moving");
            if (waiting.Count > 0) parts.Add($"{waiting.Count} cannot move yet");
            if (running.Count - waiting.Count > 0) parts.Add($"{running.Count - waiting.Count} about to move");
            summary = $"{(waiting.Count > 0 ? "Waiting" : "Draining")}: {running.Count + moving} running VM(s) to move off ({string.Join(", ", parts)}).";
            if (waiting.Count > 0 && poweringOn.Count > 0) summary += $" Powering on {string.Join(", ", poweringOn)} to make room.";
        }
        return new HostMaintenanceDto(summary, visible);
    }

    /// <summary>Each host's latest power operation (one row per host, chosen in SQL).</summary>
    private async Task<Dictionary<HostId, Operation>> LatestPowerOperationsAsync(CancellationToken ct)
    {
        var latest = await db.Operations.AsNoTracking()
            .Where(o => o.VmId == null && o.HostId != null && (o.Kind == OperationKind.PowerOnHost || o.Kind == OperationKind.PowerOffHost))
            .GroupBy(o => o.HostId)
            .Select(g => g.OrderByDescending(o => o.CreatedAt).First())
            .ToListAsync(ct);
        return latest.ToDictionary(o => o.HostId!.Value);
    }

    private static HostPowerOperationDto ToDto(Operation o) => new(
        o.Id.ToString(), o.Kind == OperationKind.PowerOnHost ? "power-on" : "power-off", o.Status.ToString(), o.Actor, o.Error,
        OperationQueries.Steps(o), o.CreatedAt, o.CompletedAt);

    public async Task<HostDto> GetAsync(Auth.Caller caller, string idOrName, CancellationToken ct)
    {
        var host = await HostCommands.FindAsync(db, idOrName, ct);
        return (await ListAsync(caller, ct)).First(h => h.Id == host.Id.ToString());
    }
}
