using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Server.Auth;
using Octopus.Server.Commands;
using Octopus.Server.Control;

namespace Octopus.Server.Queries;

/// <summary>Reads VMs as the caller may see them: their own, or all for admins.</summary>
public sealed class VmQueries(OctopusDbContext db, VmLookup lookup, TelemetryCache telemetry, Networks.NetworkQueries networks, IPlacer placer,
    TimeProvider time)
{
    public async Task<Page<VmDto>> ListAsync(Caller caller, string? owner, string? state, string? host, string? tag, string? cursor, int? limit,
        CancellationToken ct)
    {
        var (offset, take) = Paging.Parse(cursor, limit);
        IQueryable<Vm> q = db.Vms.AsNoTracking();
        if (!caller.IsAdmin) q = q.Where(v => v.OwnerId == caller.Id);
        if (owner is not null)
        {
            var name = UserName.Parse(owner, "owner");
            var ownerId = await db.Users.Where(u => u.Name == name).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct);
            q = q.Where(v => v.OwnerId == ownerId);
        }
        if (state is not null)
        {
            if (!Enum.TryParse<VmState>(state, true, out var s) || int.TryParse(state, out _))
                throw DomainException.Invalid("state", $"'{state}' is not a VM state; use one of {string.Join(", ", Enum.GetNames<VmState>())}.");
            q = q.Where(v => v.State == s);
        }
        if (host is not null)
        {
            var h = await HostCommands.FindAsync(db, host, ct);
            q = q.Where(v => v.HostId == h.Id);
        }
        var all = await q.ToListAsync(ct);
        IEnumerable<Vm> filtered = all.OrderBy(v => v.CreatedAt).ThenBy(v => v.Name.Value, StringComparer.Ordinal);
        if (tag is not null) filtered = filtered.Where(v => v.Tags.Contains(tag));
        var page = filtered.Skip(offset).Take(take + 1).ToList();
        var names = await NamesAsync(page.Select(v => v.Id).ToList(), ct);
        return Paging.Page([.. page.Select(v => ToDto(v, names))], offset, take);
    }

    public async Task<VmDto> GetAsync(Caller caller, string idOrName, CancellationToken ct) =>
        await ToDtoAsync(await lookup.FindAsync(caller, idOrName, ct, track: false), ct);

    public async Task<VmDto> ToDtoAsync(Vm vm, CancellationToken ct) => ToDto(vm, await NamesAsync([vm.Id], ct));

    /// <summary>Several VMs as the API shows them, reading the user and host names once (bulk answers).</summary>
    public async Task<IReadOnlyList<VmDto>> ToDtosAsync(IEnumerable<Vm> vms, CancellationToken ct)
    {
        var list = vms.ToList();
        var names = await NamesAsync(list.Select(v => v.Id).ToList(), ct);
        return [.. list.Select(v => ToDto(v, names))];
    }

    /// <summary>The VM's last placement decision as stored (a summary), with every host's verdict worked out now: the
    /// cluster as it is, the VM's own geometry given back to the host it holds (so its host is judged as if the VM
    /// were arriving), evaluated in explain mode. One request costs one snapshot and one full evaluation; no pass
    /// pays for explanations nobody reads.</summary>
    public async Task<PlacementDto> PlacementAsync(Caller caller, string idOrName, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
        var record = await db.Placements.AsNoTracking().FirstOrDefaultAsync(p => p.VmId == vm.Id, ct);
        if (record is null)
            return new PlacementDto(vm.Name.Value, null, "", null, "no placement decision yet: the scheduler has not looked at this VM", []);
        var stored = PlacementSummary.Parse(record.DecisionJson, record.Summary);

        var views = await PlacementPass.SnapshotAsync(db, ct);
        if (vm.HostId is { } own)
            views = [.. views.Select(h => h.Id == own ? h with { Allocated = h.Allocated.Remove(vm.Geometry.Cores, vm.Geometry.Memory, vm.Geometry.Disk) } : h)];
        var now = time.GetUtcNow();
        var explained = placer.Place(PlacementRequest.For(vm), PlacementState.From(views), explain: true);
        var hosts = explained.Hosts.Select(h => new PlacementHostDto(h.HostName, h.Feasible,
            [.. h.Rejections.Select(r => new RejectionDto(r.Plugin, r.Code, r.Reason))],
            h.TotalScore, [.. h.Scores.Select(s => new ScoreDto(s.Plugin, s.Raw, s.Normalized, s.Weight))])).ToList();
        return new PlacementDto(vm.Name.Value, stored.ChosenHost, stored.Strategy.Length > 0 ? stored.Strategy : explained.Strategy,
            record.DecidedAt, stored.Summary, hosts, stored.RejectionCounts,
            [.. stored.Candidates.Select(c => new PlacementCandidateDto(c.Host, c.Score))], now);
    }

    private VmDto ToDto(Vm v, Names n) =>
        Dto.From(v, n.Users.GetValueOrDefault(v.OwnerId, "?"), v.HostId is { } h ? n.Hosts.GetValueOrDefault(h) : null, telemetry.VmLoad(v.Id))
            with { Nics = n.Nics.GetValueOrDefault(v.Id) ?? [] };

    /// <summary>User and host names, and the NICs of <paramref name="vms"/> (the VMs about to be shown).</summary>
    private async Task<Names> NamesAsync(IReadOnlyCollection<VmId> vms, CancellationToken ct) => new(
        await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name.Value, ct),
        await db.Hosts.AsNoTracking().ToDictionaryAsync(h => h.Id, h => h.Name, ct),
        await networks.NicsOfAsync(vms, ct));

    private sealed record Names(Dictionary<UserId, string> Users, Dictionary<Domain.Hosts.HostId, string> Hosts,
        IReadOnlyDictionary<VmId, IReadOnlyList<Contracts.NicDto>> Nics);
}
