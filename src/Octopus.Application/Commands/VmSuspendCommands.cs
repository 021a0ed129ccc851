using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Domain.Operations;
using Octopus.Policies.Language;
using Octopus.Application.Auth;
using Octopus.Application.Policies;

namespace Octopus.Application.Commands;

/// <summary>Suspend, resume and lease extension: like the other VM commands they find the VM among those the caller may
/// see, check it through its state machine and are audited. Suspend and resume journal an operation that the
/// operation runner carries out through the node driver; the request then waits for it, for a bounded time
/// (<see cref="OperationWaiter.QuickOperationBound"/>), and answers with the VM as the driver left it. The VM changes
/// state only once the driver has done it; a driver failure leaves it as it was and is answered as a 409.</summary>
public sealed class VmSuspendCommands(CommandRunner runner, VmLookup lookup, TimeProvider time, PolicySettings settings,
    Persistence.OctopusDbContext db, OperationWaiter waiter, Control.IControlSignal signal)
{
    /// <summary>Suspends a running VM. Returns it Suspended, or still Running when the bound passed before the driver
    /// finished (the operation goes on).</summary>
    public Task<Vm> SuspendAsync(Caller caller, string idOrName, CancellationToken ct, string? reason = null) =>
        ChangePauseAsync(caller, idOrName, suspend: true, reason, ct);

    /// <summary>Resumes a suspended VM. Returns it Running, or still Suspended when the bound passed first.</summary>
    public Task<Vm> ResumeAsync(Caller caller, string idOrName, CancellationToken ct) =>
        ChangePauseAsync(caller, idOrName, suspend: false, null, ct);

    /// <summary>Journals the suspend (<paramref name="suspend"/>) or resume of one VM and returns at once, without
    /// waiting for the runner: what a bulk action over many VMs does, so one slow node does not hold the others. The VM
    /// is returned as it is (Running while the suspend is pending); a VM in the wrong state is refused as a conflict,
    /// exactly as the single call refuses it.</summary>
    public async Task<Vm> BeginPauseChangeAsync(Caller caller, string idOrName, bool suspend, CancellationToken ct)
    {
        var (vm, op) = await JournalPauseChangeAsync(caller, idOrName, suspend, null, ct);
        if (op is not null) signal.Wake();
        return vm;
    }

    private async Task<Vm> ChangePauseAsync(Caller caller, string idOrName, bool suspend, string? reason, CancellationToken ct)
    {
        var what = suspend ? "suspend" : "resume";
        var action = suspend ? Permissions.VmSuspend : Permissions.VmResume;
        var (vm, op) = await JournalPauseChangeAsync(caller, idOrName, suspend, reason, ct);
        if (op is null) return vm;
        signal.Wake();

        var done = await waiter.WaitAsync(op.Id, OperationWaiter.QuickOperationBound, ct);
        if (done is { Status: OperationStatus.Failed })
        {
            var failed = DomainException.Conflict("vm.driver-failed", $"Could not {what} VM '{vm.Name}': {done.Error}");
            await runner.RecordAsync(caller, action, $"vm/{idOrName}", false, failed.Message, ct);
            throw failed;
        }
        return await lookup.FindAsync(caller, vm.Id.ToString(), ct, track: false);
    }

    /// <summary>Checks the VM's state and writes the operation with the audit row in one unit; null operation when the
    /// VM is already where it was asked to go.</summary>
    private Task<(Vm, Operation?)> JournalPauseChangeAsync(Caller caller, string idOrName, bool suspend, string? reason, CancellationToken ct)
    {
        var action = suspend ? Permissions.VmSuspend : Permissions.VmResume;
        var to = suspend ? VmState.Suspended : VmState.Running;
        return runner.RunAsync(caller, action, $"vm/{idOrName}", async ct =>
        {
            var change = await DecidePauseChangeAsync(caller, idOrName, suspend, reason, ct);
            return (change.Vm, change.Operation);
        }, ct, r => r.Item2 is null ? $"already {to}" : $"operation {r.Item2.Id}");
    }

    /// <summary>A VM's suspend or resume as decided in a unit of work (not yet saved): its operation, or null when the
    /// VM was already there.</summary>
    private sealed record PauseChange(Vm Vm, Operation? Operation);

    /// <summary>Finds the VM, checks its state and journals its operation in the caller's unit of work.</summary>
    private async Task<PauseChange> DecidePauseChangeAsync(Caller caller, string idOrName, bool suspend, string? reason, CancellationToken ct)
    {
        var (what, from, to) = suspend ? ("suspend", VmState.Running, VmState.Suspended) : ("resume", VmState.Suspended, VmState.Running);
        var vm = await lookup.FindAsync(caller, idOrName, ct);
        if (vm.State == to) return new PauseChange(vm, null);
        if (vm.State != from)
            throw DomainException.Conflict("vm.illegal-transition", $"Cannot {what} VM '{vm.Name}': it is {vm.State}. Allowed when {from}.",
                new Dictionary<string, object> { ["name"] = vm.Name.ToString(), ["action"] = what, ["state"] = vm.State.ToString() });
        if (vm.HostId is null)
            throw DomainException.Conflict("vm.illegal-transition", $"Cannot {what} VM '{vm.Name}': it runs on no host.",
                new Dictionary<string, object> { ["name"] = vm.Name.ToString(), ["action"] = what, ["state"] = vm.State.ToString() });
        return new PauseChange(vm, await OperationJournal.BeginPauseChangeAsync(db, vm, suspend, caller.Name, reason, time.GetUtcNow(), ct));
    }

    /// <summary>Journals the suspend (or resume) of many VMs as <see cref="BeginPauseChangeAsync"/> does for one, in
    /// chunks (<see cref="CommandRunner.RunEachAsync"/>): each VM authorised, decided and audited as alone, a chunk's
    /// operations and audit entries committed in one save, the control loop woken once. A chunk whose save loses a race
    /// runs each of its VMs alone.</summary>
    public async Task<IReadOnlyList<(string Target, Vm? Vm, DomainException? Error)>> BeginPauseChangeEachAsync(Caller caller,
        IReadOnlyList<string> idsOrNames, bool suspend, CancellationToken ct)
    {
        var action = suspend ? Permissions.VmSuspend : Permissions.VmResume;
        var to = suspend ? VmState.Suspended : VmState.Running;
        var outcomes = await runner.RunEachAsync(caller, action, idsOrNames, target => $"vm/{target}",
            (target, ct) => DecidePauseChangeAsync(caller, target, suspend, null, ct),
            (_, _) => Task.CompletedTask,
            async (target, ct) =>
            {
                var (vm, op) = await JournalPauseChangeAsync(caller, target, suspend, null, ct);
                return new PauseChange(vm, op);
            }, ct, r => r.Operation is null ? $"already {to}" : $"operation {r.Operation.Id}");
        signal.Wake();
        return [.. outcomes.Select(o => (o.Target, o.Result?.Vm, o.Error))];
    }

    /// <summary>Whether the caller's VM <paramref name="idOrName"/> is suspended (false when it cannot be found: the
    /// caller's command then reports that in its usual way).</summary>
    public async Task<bool> IsSuspendedAsync(Caller caller, string idOrName, CancellationToken ct)
    {
        try { return (await lookup.FindAsync(caller, idOrName, ct, track: false)).State == VmState.Suspended; }
        catch (DomainException) { return false; }
    }

    /// <summary>Extends (or sets) the VM's lease: by a duration from its current end (or from now, when it has none or it
    /// has passed), or to an absolute time. Users may not go beyond the administrator's maximum lease, counted from now.</summary>
    public Task<Vm> ExtendLeaseAsync(Caller caller, string idOrName, ExtendLeaseRequest? request, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.VmLease, $"vm/{idOrName}", async ct =>
        {
            if (request is null || (request.ExtendBy is null) == (request.ExpiresAt is null))
                throw DomainException.Invalid("extendBy", "Send exactly one of {\"extendBy\": \"7d\"} or {\"expiresAt\": \"2030-01-01T00:00:00Z\"}.");
            var vm = await lookup.FindAsync(caller, idOrName, ct);
            var now = time.GetUtcNow();
            DateTimeOffset until;
            if (request.ExtendBy is { } text)
            {
                if (!DurationText.TryParse(text.Trim(), out var by, out var error))
                    throw DomainException.Invalid("extendBy", $"'{text}' is not a duration ({error}); write e.g. 7d or 12h.");
                if (by <= TimeSpan.Zero) throw DomainException.Invalid("extendBy", "Extend by a positive duration, e.g. 7d.");
                var from = vm.LeaseExpiresAt is { } current && current > now ? current : now;
                until = from + by;
            }
            else until = request.ExpiresAt!.Value;
            if (until <= now) throw DomainException.Invalid("expiresAt", $"The lease must end in the future; {until:u} has passed.");
            if (!caller.IsAdmin && until > now + settings.MaxLease)
                throw DomainException.Invalid(request.ExtendBy is null ? "expiresAt" : "extendBy",
                    $"The lease may end at most {DurationText.Format(settings.MaxLease)} from now ({now + settings.MaxLease:u}), not {until:u}; " +
                    "ask for less, or ask an administrator.");
            vm.SetLease(until);
            return vm;
        }, ct, v => $"lease ends {v.LeaseExpiresAt:u}");
}
