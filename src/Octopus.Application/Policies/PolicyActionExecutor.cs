using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Operations;
using Octopus.Domain.Auditing;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Scheduling.Placement;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Control;

namespace Octopus.Application.Policies;

/// <summary>What a retry needs to repeat an action: its kind and parameters (stored with the history entry).</summary>
public sealed record PolicyActionRequest(string Kind, int? KeepLast = null, TimeSpan? NewerThan = null, string? Message = null)
{
    public const string Warn = "warn";

    public static PolicyActionRequest From(IntendedAction a) => a.Warning is not null
        ? new PolicyActionRequest(Warn, Message: $"delete after {a.Warning.DeleteNotBefore:u} unless the lease is extended")
        : a.Action switch
        {
            CheckpointAction c => new PolicyActionRequest(Name(a.Action.Kind), c.KeepLast, c.NewerThan),
            NotifyAction n => new PolicyActionRequest(Name(a.Action.Kind), Message: n.Message),
            _ => new PolicyActionRequest(Name(a.Action.Kind)),
        };

    public static string Name(PolicyActionKind kind) => kind switch
    {
        PolicyActionKind.Delete => "delete",
        PolicyActionKind.Shutdown => "shutdown",
        PolicyActionKind.Suspend => "suspend",
        PolicyActionKind.RestartElsewhere => "restartElsewhere",
        PolicyActionKind.Move => "move",
        PolicyActionKind.Checkpoint => "checkpoint",
        PolicyActionKind.Notify => "notify",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static PolicyActionRequest FromJson(string json) => JsonSerializer.Deserialize<PolicyActionRequest>(json) ?? new PolicyActionRequest("notify");
}

/// <summary>Carries out one policy action through the ordinary command path, as the policy's owner: the VM is looked up
/// among the owner's VMs (a user's policy cannot reach anyone else's), the command is authorised and audited like the
/// owner's own request (the actor reads "alice via policy idle-shutdown"), and a <c>policy.*</c> audit entry records
/// the policy, the reason and the result. Resolve it from a fresh scope per action: a failed command clears its scope's
/// change tracker.</summary>
public sealed class PolicyActionExecutor(OctopusDbContext db, VmCommands vms, VmSuspendCommands suspends, CommandRunner runner, VmLookup lookup,
    IPlacer placer, IControlSignal signal, TimeProvider time, IServiceProvider services)
{
    /// <summary>Runs the action; returns null on success or the error. Never throws for the action's own failures.</summary>
    public async Task<string?> ExecuteAsync(string policy, UserName owner, PolicyActionRequest action, VmId vm, string vmName, string reason,
        int attempt, CancellationToken ct)
    {
        string? error;
        var actor = ActorOf(owner, policy);
        try
        {
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == owner, ct)
                ?? throw DomainException.Invalid("owner", $"The policy's owner '{owner}' no longer exists.");
            var caller = new Caller(user.Id, actor, user.Role == UserRole.Admin);
            await RunAsync(caller, policy, action, vm, reason, ct);
            error = null;
        }
        catch (DomainException e) { error = e.Message; }
        catch (Octopus.Disks.Backends.DiskBackendException e) { error = e.Message; }
        catch (Octopus.Drivers.DriverException e) { error = e.Message; }
        db.ChangeTracker.Clear();
        var details = $"policy {policy}: {reason}" + (attempt > 1 ? $" (attempt {attempt})" : "");
        if (details.Length > 4000) details = details[..4000];
        var result = error ?? (action.Message is { } m && action.Kind is "notify" or PolicyActionRequest.Warn ? $"ok: {m}" : "ok");
        if (result.Length > 2000) result = result[..2000];
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), actor, $"policy.{action.Kind}", $"vm/{vmName}", error is null, result, details));
        await db.SaveChangesAsync(ct);
        return error;
    }

    /// <summary>Who a policy's actions are audited as: "OWNER via policy NAME", cut to the audit's 64 characters.</summary>
    internal static string ActorOf(UserName owner, string policy)
    {
        var actor = $"{owner} via policy {policy}";
        return actor.Length > 64 ? actor[..64] : actor;
    }

    private async Task RunAsync(Caller caller, string policy, PolicyActionRequest action, VmId vm, string reason, CancellationToken ct)
    {
        var id = vm.ToString();
        switch (action.Kind)
        {
            case "shutdown":
                await vms.StopAsync(caller, id, ct);
                break;
            case "suspend":
                await suspends.SuspendAsync(caller, id, ct, $"suspended by policy {policy}");
                break;
            case "delete":
                await vms.DeleteAsync(caller, id, ct);
                break;
            case "notify":
                await lookup.FindAsync(caller, id, ct, track: false); // the owner may address this VM
                break;
            case PolicyActionRequest.Warn:
                await lookup.FindAsync(caller, id, ct, track: false);
                var target = await db.Vms.AsNoTracking().FirstAsync(v => v.Id == vm, ct);
                db.PolicyWarnings.Add(new Persistence.Records.PolicyWarningRecord
                {
                    Policy = policy, VmId = vm.Value, SentAt = time.GetUtcNow(), LeaseExpiresAt = target.LeaseExpiresAt,
                });
                await db.SaveChangesAsync(ct);
                break;
            case "checkpoint":
                await CheckpointAsync(caller, policy, action, id, ct);
                break;
            case "move":
                await MoveAsync(caller, id, ct);
                break;
            case "restartElsewhere":
                await runner.RunAsync(caller, Permissions.VmRestartElsewhere, $"vm/{id}", async ct =>
                {
                    var v = await lookup.FindAsync(caller, id, ct);
                    v.RestartElsewhere($"restarting on another host (policy {policy})", time.GetUtcNow());
                    return v;
                }, ct, v => "waiting for placement");
                signal.Wake();
                break;
            default:
                throw DomainException.Invalid("action", $"Unknown policy action '{action.Kind}'.");
        }
    }

    /// <summary>Journals the checkpoint as an operation (named now, so a resumed run finds what it already took); the
    /// runner takes it (live when a hypervisor holds the VM's disk) and then applies the policy's retention.</summary>
    private async Task CheckpointAsync(Caller caller, string policy, PolicyActionRequest action, string id, CancellationToken ct)
    {
        var disks = services.GetService<DiskServices>()
            ?? throw DomainException.Conflict("vm.no-disk", "This server has no disk storage; checkpoints are not available.");
        var vm = await lookup.FindAsync(caller, id, ct, track: false);
        await runner.RunAsync(caller, Permissions.VmCheckpoint, $"vm/{vm.Name}", async ct =>
        {
            var now = time.GetUtcNow();
            var name = await disks.Checkpoints.NameForAsync(vm.Id, now, ct);
            var payload = new CheckpointPayload(name.Value, policy, action.KeepLast, action.NewerThan);
            var op = Operation.Begin(OperationKind.CheckpointVm, vm.Id, vm.HostId, caller.Name, now, payload: payload.Format());
            db.Operations.Add(op);
            return (name, op.Id);
        }, ct, r => $"'{r.name}' (operation {r.Id})");
        signal.Wake();
    }

    private async Task MoveAsync(Caller caller, string id, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, id, ct, track: false);
        var views = await PlacementPass.SnapshotAsync(db, ct);
        var others = PlacementState.From(views.Where(h => h.Id != vm.HostId));
        var decision = placer.Place(PlacementRequest.For(vm), others, explain: false);
        if (decision.ChosenHost is not { } host)
            throw DomainException.Conflict("vm.no-destination", $"No other host can take VM '{vm.Name}' now; it stays where it is.");
        var name = views.First(h => h.Id == host).Name;
        await vms.MigrateAsync(caller, id, name, ct);
    }
}
