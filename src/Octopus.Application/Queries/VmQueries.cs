using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Vms;
using Octopus.Scheduling.Placement;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Control;

namespace Octopus.Application.Queries;

/// <summary>Reads VMs as the caller may see them: their own, or all for admins.</summary>
public sealed class VmQueries(OctopusDbContext db, VmLookup lookup, Networks.NetworkQueries networks, IPlacer placer,
    TimeProvider time)
{
    /// <summary>One page of the VMs the caller may see, filtered, searched (search: part of a name, tag,
    /// owner, host, IP or MAC), ordered (<c>created</c>, <c>name</c>, <c>owner</c>, <c>host</c>,
    /// <c>state</c>; a leading <c>-</c> reverses) and paged by keyset, all in SQL; the page carries the total that match.</summary>
    public async Task<Page<VmDto>> ListAsync(Caller caller, VmListRequest request, CancellationToken ct)
    {
        var take = request.Limit ?? Paging.DefaultLimit;
        if (take < 1 || take > Paging.MaxLimit) throw DomainException.Invalid("limit", $"limit must be between 1 and {Paging.MaxLimit}; got {take}.");
        var sort = VmListCursor.ParseSort(request.Sort);
        var after = VmListCursor.Parse(request.Cursor, sort);
        UserId? ownerId = caller.IsAdmin ? null : caller.Id;
        if (request.Owner is not null)
        {
            var name = UserName.Parse(request.Owner, "owner");
            var found = await db.Users.Where(u => u.Name == name).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct);
            // No such user, or another user's VMs asked for by a non-admin: nothing to show (never an error that tells
            // whether the user exists).
            if (found is null || (ownerId is { } self && self != found)) return new Page<VmDto>([], null, 0);
            ownerId = found;
        }
        VmState? state = null;
        if (request.State is not null)
        {
            if (!Enum.TryParse<VmState>(request.State, true, out var s) || int.TryParse(request.State, out _))
                throw DomainException.Invalid("state", $"'{request.State}' is not a VM state; use one of {string.Join(", ", Enum.GetNames<VmState>())}.");
            state = s;
        }
        Domain.Hosts.HostId? hostId = request.Host is null ? null : (await HostCommands.FindAsync(db, request.Host, ct)).Id;
        if (request.Search is { Length: > 100 })
            throw DomainException.Invalid("q", "Search text is at most 100 characters; search for a part of a name, tag, owner or host.");

        var filter = new VmListFilter(ownerId, state, hostId, request.Tag, request.Search);
        var page = await VmListing.ReadPageAsync(db, filter, sort, after, take, ct);
        var names = await NamesAsync(page.Items, ct);
        return new Page<VmDto>([.. page.Items.Select(v => ToDto(v, names))],
            page.HasMore && page.Last is { } last ? VmListCursor.Format(sort, last) : null, page.Total);
    }

    /// <summary>Every VM as the API shows them (the live feed's read): one query, names read once.</summary>
    public async Task<IReadOnlyList<VmDto>> AllAsync(CancellationToken ct) =>
        await ToDtosAsync(await db.Vms.AsNoTracking().ToListAsync(ct), ct);

    public async Task<VmDto> GetAsync(Caller caller, string idOrName, CancellationToken ct) =>
        await ToDtoAsync(await lookup.FindAsync(caller, idOrName, ct, track: false), ct);

    public async Task<VmDto> ToDtoAsync(Vm vm, CancellationToken ct) => ToDto(vm, await NamesAsync([vm], ct));

    /// <summary>A VM just created, as the API shows it, from the rows its create wrote: no query. It has no host yet and
    /// so no load (<see cref="ToDto(Vm, Names)"/> gives such a VM the same).</summary>
    public static VmDto ToDto(VmCreated created)
    {
        ArgumentNullException.ThrowIfNull(created);
        if (created.Vm.HostId is not null) throw new InvalidOperationException("a VM just created has no host");
        return Dto.From(created.Vm, created.Owner, null, 0)
            with { Nics = created.Nics, SshKeys = created.SshKeys, UserDataBytes = created.UserDataBytes };
    }

    /// <summary>Several VMs as the API shows them, reading the user and host names once (bulk answers).</summary>
    public async Task<IReadOnlyList<VmDto>> ToDtosAsync(IEnumerable<Vm> vms, CancellationToken ct)
    {
        var list = vms.ToList();
        var names = await NamesAsync(list, ct);
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
            [.. h.Rejections.Select(r => new RejectionDto(r.Plugin, r.Code, r.Reason,
                r.Shortfall is { } f ? new ShortfallDto(f.Resource, f.Unit, f.Requested, f.Free, f.Capacity) : null))],
            h.TotalScore, [.. h.Scores.Select(s => new ScoreDto(s.Plugin, s.Raw, s.Normalized, s.Weight))])).ToList();
        return new PlacementDto(vm.Name.Value, stored.ChosenHost, stored.Strategy.Length > 0 ? stored.Strategy : explained.Strategy,
            record.DecidedAt, stored.Summary, hosts, stored.RejectionCounts,
            [.. stored.Candidates.Select(c => new PlacementCandidateDto(c.Host, c.Score))], now);
    }

    private VmDto ToDto(Vm v, Names n) =>
        Dto.From(v, n.Users.GetValueOrDefault(v.OwnerId, "?"), v.HostId is { } h ? n.Hosts.GetValueOrDefault(h) : null, n.Loads.GetValueOrDefault(v.Id))
            with { Nics = n.Nics.GetValueOrDefault(v.Id) ?? [], SshKeys = n.SshKeys.GetValueOrDefault(v.Id) ?? [],
                UserDataBytes = n.UserData.TryGetValue(v.Id, out var bytes) ? bytes : null };

    /// <summary>The owner and host names, NICs, SSH keys and user-data sizes of <paramref name="vms"/> (the VMs about to be
    /// shown): only their owners' and hosts' names are read, so answering for one VM costs the same in a cluster of any size.</summary>
    private async Task<Names> NamesAsync(IReadOnlyCollection<Vm> vms, CancellationToken ct)
    {
        var ids = vms.Select(v => v.Id).ToList();
        var owners = vms.Select(v => v.OwnerId).Distinct().ToList();
        var hosts = vms.Where(v => v.HostId is not null).Select(v => v.HostId!.Value).Distinct().ToList();
        return new(
            await db.Users.AsNoTracking().Where(u => owners.Contains(u.Id)).Select(u => new { u.Id, u.Name }).ToDictionaryAsync(u => u.Id, u => u.Name.Value, ct),
            hosts.Count == 0 ? [] : await db.Hosts.AsNoTracking().Where(h => hosts.Contains(h.Id)).Select(h => new { h.Id, h.Name }).ToDictionaryAsync(h => h.Id, h => h.Name, ct),
            await networks.NicsOfAsync(ids, ct),
            await new Provisioning.VmSshKeys(db).OfAsync(ids, ct),
            await UserDataSizesAsync(ids, ct),
            await TelemetryCache.LoadsAsync(db, ids, ct));
    }

    private async Task<Dictionary<VmId, long>> UserDataSizesAsync(IReadOnlyCollection<VmId> vms, CancellationToken ct)
    {
        var ids = vms.ToList();
        return await db.VmUserData.AsNoTracking().Where(u => ids.Contains(u.VmId)).Select(u => new { u.VmId, u.Bytes })
            .ToDictionaryAsync(u => u.VmId, u => (long)u.Bytes, ct);
    }

    private sealed record Names(Dictionary<UserId, string> Users, Dictionary<Domain.Hosts.HostId, string> Hosts,
        IReadOnlyDictionary<VmId, IReadOnlyList<Contracts.NicDto>> Nics, IReadOnlyDictionary<VmId, IReadOnlyList<string>> SshKeys,
        Dictionary<VmId, long> UserData, IReadOnlyDictionary<VmId, double> Loads);
}
