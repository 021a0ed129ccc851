using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;

namespace Octopus.Application.Queries;

/// <summary>Reads the operations journal for the task centre, the CLI and programs. Users see the operations on their
/// own VMs (whoever started them: they, their policies, the scheduler) and the ones they started; admins see all.
/// Newest first, offset-paged like the audit log.</summary>
public sealed class OperationQueries(OctopusDbContext db, Commands.VmLookup vms)
{
    public async Task<Page<OperationDto>> ListAsync(Auth.Caller caller, string? status, string? vm, string? kind, bool mine,
        string? cursor, int? limit, CancellationToken ct)
    {
        var (offset, take) = Paging.Parse(cursor, limit);
        var q = Visible(caller, mine);
        if (!string.IsNullOrEmpty(status)) q = StatusFilter(q, status);
        if (!string.IsNullOrEmpty(kind))
        {
            var k = ParseKind(kind);
            q = q.Where(o => o.Kind == k);
        }
        if (!string.IsNullOrEmpty(vm))
        {
            var id = await vms.FindAsync(caller, vm, ct, track: false);
            q = q.Where(o => o.VmId == id.Id);
        }
        var rows = await q.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Skip(offset).Take(take + 1).ToListAsync(ct);
        var page = Paging.Page(await ToDtosAsync(rows, ct), offset, take);
        return page;
    }

    public async Task<OperationDto> GetAsync(Auth.Caller caller, string id, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var guid))
            throw DomainException.Invalid("id", $"'{id}' is not an operation id; take one from `octopus operation list` or GET {ApiRoutes.Operations}.");
        var opId = new OperationId(guid);
        var op = await Visible(caller, mine: false).FirstOrDefaultAsync(o => o.Id == opId, ct)
            ?? throw DomainException.NotFound("operation", id);
        return (await ToDtosAsync([op], ct))[0];
    }

    /// <summary>The newest unfinished operation on <paramref name="vm"/>, for a 202's Location.</summary>
    public Task<OperationId?> LatestOpenAsync(VmId vm, CancellationToken ct) =>
        db.Operations.AsNoTracking()
            .Where(o => o.VmId == vm && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running))
            .OrderByDescending(o => o.CreatedAt).Select(o => (OperationId?)o.Id).FirstOrDefaultAsync(ct);

    private IQueryable<Operation> Visible(Auth.Caller caller, bool mine)
    {
        var q = db.Operations.AsNoTracking();
        if (caller.IsAdmin && !mine) return q;
        var own = db.Vms.Where(v => v.OwnerId == caller.Id).Select(v => (VmId?)v.Id);
        var viaPolicy = caller.Name + " via policy ";
        return q.Where(o => o.Actor == caller.Name || o.Actor.StartsWith(viaPolicy) || own.Contains(o.VmId));
    }

    private static IQueryable<Operation> StatusFilter(IQueryable<Operation> q, string status) => status.Trim().ToLowerInvariant() switch
    {
        "pending" => q.Where(o => o.Status == OperationStatus.Pending),
        "running" => q.Where(o => o.Status == OperationStatus.Running),
        "succeeded" => q.Where(o => o.Status == OperationStatus.Succeeded),
        "failed" => q.Where(o => o.Status == OperationStatus.Failed),
        "open" => q.Where(o => o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running),
        "finished" => q.Where(o => o.Status == OperationStatus.Succeeded || o.Status == OperationStatus.Failed),
        _ => throw DomainException.Invalid("status", $"'{status}' is not an operation status; use pending, running, succeeded, failed, open or finished."),
    };

    /// <summary>An operation's steps as the API shows them.</summary>
    public static IReadOnlyList<OperationStepDto> Steps(Operation o) => [.. o.StepLines().Select(s => new OperationStepDto(s.At, s.Text))];

    /// <summary>create-vm for CreateVm, power-on-host for PowerOnHost.</summary>
    public static string KindName(OperationKind kind)
    {
        var text = kind.ToString();
        var sb = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsUpper(text[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(text[i]));
        }
        return sb.ToString();
    }

    private static OperationKind ParseKind(string text)
    {
        foreach (var k in Enum.GetValues<OperationKind>())
            if (string.Equals(KindName(k), text.Trim(), StringComparison.OrdinalIgnoreCase)) return k;
        throw DomainException.Invalid("kind", $"'{text}' is not an operation kind; use one of {string.Join(", ", Enum.GetValues<OperationKind>().Select(KindName))}.");
    }

    private async Task<List<OperationDto>> ToDtosAsync(IReadOnlyList<Operation> ops, CancellationToken ct)
    {
        var vmIds = ops.Where(o => o.VmId is not null).Select(o => o.VmId!.Value).Distinct().ToList();
        var vmNames = vmIds.Count == 0 ? [] : await db.Vms.AsNoTracking().Where(v => vmIds.Contains(v.Id))
            .Select(v => new { v.Id, v.Name }).ToDictionaryAsync(v => v.Id, v => v.Name.Value, ct);
        var hostIds = ops.SelectMany(o => new[] { o.HostId, o.TargetHostId }).Where(h => h is not null).Select(h => h!.Value).Distinct().ToList();
        var hostNames = hostIds.Count == 0 ? [] : await db.Hosts.AsNoTracking().Where(h => hostIds.Contains(h.Id))
            .Select(h => new { h.Id, h.Name }).ToDictionaryAsync(h => h.Id, h => h.Name, ct);
        return [.. ops.Select(o => new OperationDto(o.Id.ToString(), KindName(o.Kind), o.Status.ToString(), o.VmId?.ToString(),
            o.VmId is { } v ? vmNames.GetValueOrDefault(v) : null,
            o.HostId is { } h ? hostNames.GetValueOrDefault(h) ?? h.ToString() : null,
            o.TargetHostId is { } t ? hostNames.GetValueOrDefault(t) ?? t.ToString() : null,
            o.Actor, o.Reason, o.Error, o.ErrorCode, o.Attempts, Steps(o),
            o.CreatedAt, o.CompletedAt))];
    }
}
