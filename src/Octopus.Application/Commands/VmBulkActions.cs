using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Queries;

namespace Octopus.Application.Commands;

/// <summary>One action over many VMs (<c>POST /api/v1/vm-actions</c>). Each VM goes through the same
/// <see cref="VmCommands"/> decision a single request takes, so it is authorised (another user's VM is "not found", as it
/// would be alone), journaled and audited one by one (every action commits in chunks of
/// <see cref="CommandRunner.EachChunk"/> VMs, one save each, and wakes the control loop once); a refusal for one VM is that VM's result and does not stop the
/// others. The bulk call itself is audited once more with its totals. Suspend and resume journal each VM's operation and
/// do not wait for the runner (the single call waits a few seconds): the answer says "accepted", and the VM's state
/// follows, as it does for start and stop.</summary>
public sealed class VmBulkActions(OctopusDbContext db, VmCommands commands, VmSuspendCommands suspends, VmQueries queries, CommandRunner runner)
{
    /// <summary>The most VMs one call may name or select; larger sets are split by the caller.</summary>
    public const int MaxVms = 5000;

    public async Task<VmBulkActionResponse> RunAsync(Caller caller, VmBulkActionRequest? request, CancellationToken ct)
    {
        if (request is null) throw DomainException.Invalid("body", "Send {\"action\": \"stop\", \"vms\": [\"web1\", …]} or {\"action\": \"stop\", \"selector\": {\"owner\": \"lab42\"}}.");
        var action = (request.Action ?? "").Trim().ToLowerInvariant();
        if (action is not ("start" or "stop" or "reboot" or "suspend" or "resume" or "delete"))
            throw DomainException.Invalid("action", $"'{request.Action}' is not a bulk action; use start, stop, reboot, suspend, resume or delete.");
        if (request.Vms is not null && request.Selector is not null)
            throw DomainException.Invalid("selector", "Give either vms or selector, not both.");
        var targets = request.Vms is not null ? [.. request.Vms]
            : request.Selector is not null ? await SelectAsync(caller, request.Selector, ct)
            : throw DomainException.Invalid("vms", "Name the VMs (\"vms\": [\"web1\", …]) or pick them with a selector (\"selector\": {\"tag\": \"lab\"}).");
        if (targets.Count > MaxVms)
            throw DomainException.Invalid(request.Vms is not null ? "vms" : "selector", $"{targets.Count} VMs in one call is more than {MaxVms}; split the list.");

        var outcomes = new List<(string Target, Vm? Vm, DomainException? Error)>(targets.Count);
        var named = new List<string>(targets.Count);
        foreach (var target in targets)
        {
            if (string.IsNullOrWhiteSpace(target)) outcomes.Add((target ?? "", null, DomainException.Invalid("vms", "An empty VM name; remove it from the list.")));
            else named.Add(target);
        }
        // Decided in chunks, each one save, the loop woken once (VmCommands.TransitionEachAsync; suspend and resume through
        // VmSuspendCommands.BeginPauseChangeEachAsync, which journals without waiting for the runner).
        outcomes.AddRange(action is "suspend" or "resume"
            ? await suspends.BeginPauseChangeEachAsync(caller, named, suspend: action == "suspend", ct)
            : await commands.TransitionEachAsync(caller, action, named, ct));
        db.ChangeTracker.Clear();
        // Answer in the order the VMs were named (an empty name's refusal where it stood).
        var position = targets.Select((t, i) => (t ?? "", i)).GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => new Queue<int>(g.Select(p => p.i)));
        outcomes = [.. outcomes.OrderBy(o => position[o.Target].Dequeue())];

        var dtos = await queries.ToDtosAsync(outcomes.Where(o => o.Vm is not null).Select(o => o.Vm!), ct);
        var results = new List<VmActionResultDto>(outcomes.Count);
        var next = 0;
        foreach (var (target, vm, error) in outcomes)
        {
            if (vm is not null) results.Add(new VmActionResultDto(target, true, ErrorStatus.Accepted, Result: dtos[next++]));
            else results.Add(new VmActionResultDto(target, false, ErrorStatus.For(error!.Kind), error!.Code, error.Message, Args: error.Args.Count > 0 ? error.Args : null));
        }
        var ok = results.Count(r => r.Ok);
        await runner.RecordAsync(caller, Permissions.VmBulk(action), request.Vms is not null ? "vms" : $"vms/{Describe(request.Selector!)}",
            ok == results.Count, $"{ok} of {results.Count} VMs accepted", ct);
        return new VmBulkActionResponse(action, ok, results.Count - ok, results);
    }

    /// <summary>The ids of the VMs the caller may see that match every field of the selector, oldest first.</summary>
    private async Task<List<string>> SelectAsync(Caller caller, VmSelector selector, CancellationToken ct)
    {
        IQueryable<Vm> q = db.Vms.AsNoTracking();
        if (!caller.IsAdmin) q = q.Where(v => v.OwnerId == caller.Id);
        if (selector.Owner is not null)
        {
            var name = UserName.Parse(selector.Owner, "selector.owner");
            var ownerId = await db.Users.Where(u => u.Name == name).Select(u => (UserId?)u.Id).FirstOrDefaultAsync(ct);
            q = q.Where(v => v.OwnerId == ownerId);
        }
        if (selector.State is not null)
        {
            if (!Enum.TryParse<VmState>(selector.State, true, out var s) || int.TryParse(selector.State, out _))
                throw DomainException.Invalid("selector.state", $"'{selector.State}' is not a VM state; use one of {string.Join(", ", Enum.GetNames<VmState>())}.");
            q = q.Where(v => v.State == s);
        }
        var vms = await q.ToListAsync(ct);
        return [.. vms.Where(v => selector.Tag is null || v.Tags.Contains(selector.Tag))
            .OrderBy(v => v.CreatedAt).ThenBy(v => v.Name.Value, StringComparer.Ordinal)
            .Select(v => v.Id.ToString())];
    }

    private static string Describe(VmSelector s) =>
        string.Join(",", new[] { ("owner", s.Owner), ("tag", s.Tag), ("state", s.State) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={p.Item2}")) is { Length: > 0 } d ? d : "all";
}
