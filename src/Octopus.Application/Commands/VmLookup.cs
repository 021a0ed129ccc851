using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;

namespace Octopus.Application.Commands;

/// <summary>Finds a VM by id, name, or owner/name, among the VMs the caller may see. A VM the caller may not see is
/// reported exactly like one that does not exist (404), so names of other people's VMs do not leak.</summary>
public sealed class VmLookup(OctopusDbContext db)
{
    public async Task<Vm> FindAsync(Caller caller, string idOrName, CancellationToken ct, bool track = true)
    {
        // Routing leaves %2F encoded (so "owner/name" arrives as owner%2Fname); names hold no other escapes.
        idOrName = idOrName.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        IQueryable<Vm> vms = track ? db.Vms : db.Vms.AsNoTracking();
        if (!caller.IsAdmin) vms = vms.Where(v => v.OwnerId == caller.Id);

        if (VmId.TryParse(idOrName, out var id))
            return await vms.FirstOrDefaultAsync(v => v.Id == id, ct) ?? throw DomainException.NotFound("VM", idOrName);

        var slash = idOrName.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            if (!TryName(idOrName[(slash + 1)..], out var n)) throw DomainException.NotFound("VM", idOrName);
            UserName owner;
            try { owner = UserName.Parse(idOrName[..slash]); } catch (DomainException) { throw DomainException.NotFound("VM", idOrName); }
            var ownerId = await db.Users.Where(u => u.Name == owner).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct);
            return await vms.FirstOrDefaultAsync(v => v.OwnerId == ownerId && v.Name == n, ct) ?? throw DomainException.NotFound("VM", idOrName);
        }

        if (!TryName(idOrName, out var name)) throw DomainException.NotFound("VM", idOrName);
        // Users see their own VM of that name; admins see it only if exactly one user has a VM so named.
        var mine = await vms.Where(v => v.Name == name && v.OwnerId == caller.Id).FirstOrDefaultAsync(ct);
        if (mine is not null) return mine;
        var matches = await vms.Where(v => v.Name == name).Take(2).ToListAsync(ct);
        return matches.Count switch
        {
            0 => throw DomainException.NotFound("VM", idOrName),
            1 => matches[0],
            _ => throw DomainException.Conflict("vm.ambiguous", $"Several users have a VM named '{idOrName}'; write OWNER/{idOrName} or use the VM's id."),
        };
    }

    private static bool TryName(string text, out VmName name)
    {
        try { name = VmName.Parse(text); return true; }
        catch (DomainException) { name = default; return false; }
    }
}
