using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Persistence;
using Octopus.Server.Commands;

namespace Octopus.Server.Queries;

/// <summary>Reads hosts with what their VMs hold. Every user may list hosts (capacity is not secret); VM names on a
/// host are shown only to admins and to the VMs' owners.</summary>
public sealed class HostQueries(OctopusDbContext db)
{
    public async Task<IReadOnlyList<HostDto>> ListAsync(Auth.Caller caller, CancellationToken ct)
    {
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        var vms = await db.Vms.AsNoTracking().Where(v => v.HostId != null).ToListAsync(ct);
        var byHost = vms.GroupBy(v => v.HostId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        // How hosts are switched (BMC addresses, users) is for admins only; the password is never shown.
        var power = caller.IsAdmin ? await db.PowerBindings.AsNoTracking().ToDictionaryAsync(p => p.HostId, ct) : [];
        var operations = caller.IsAdmin ? await LatestPowerOperationsAsync(ct) : [];
        return [.. hosts.OrderBy(h => h.Name, StringComparer.Ordinal).Select(h =>
        {
            var mine = byHost.GetValueOrDefault(h.Id) ?? [];
            var alloc = mine.Aggregate(HostAllocation.None, (a, v) => a.Add(v.Geometry.Cores, v.Geometry.Memory, v.Geometry.Disk));
            var visible = mine.Where(v => caller.IsAdmin || v.OwnerId == caller.Id).Select(v => v.Name.Value).Order(StringComparer.Ordinal).ToList();
            return Dto.From(h, alloc, visible) with
            {
                PowerConfig = power.TryGetValue(h.Id, out var binding) ? Power.PowerConfigCommands.ToDto(binding) : null,
                PowerOperation = operations.TryGetValue(h.Id, out var op) ? ToDto(op) : null,
            };
        })];
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
