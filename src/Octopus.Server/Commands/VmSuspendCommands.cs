using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Policies.Language;
using Octopus.Server.Auth;
using Octopus.Server.Policies;

namespace Octopus.Server.Commands;

/// <summary>Suspend, resume and lease extension: like the other VM commands they find the VM among those the caller may
/// see, change it through its state machine and are audited. Suspend and resume are quick, so the driver is called
/// within the command (no journaled operation): the VM changes state only once the driver has done it.</summary>
public sealed class VmSuspendCommands(CommandRunner runner, VmLookup lookup, TimeProvider time, PolicySettings settings,
    INodeDriverResolver nodes)
{
    public Task<Vm> SuspendAsync(Caller caller, string idOrName, CancellationToken ct, string? reason = null) =>
        runner.RunAsync(caller, "vm.suspend", $"vm/{idOrName}", async ct =>
        {
            var vm = await lookup.FindAsync(caller, idOrName, ct);
            if (vm.State == VmState.Suspended) return vm;
            if (vm.State != VmState.Running)
                throw DomainException.Conflict("vm.illegal-transition", $"Cannot suspend VM '{vm.Name}': it is {vm.State}. Allowed when Running.");
            await CallDriverAsync(d => d.SuspendAsync(vm.Id, ct), "suspend", vm);
            vm.Suspend(time.GetUtcNow(), reason);
            return vm;
        }, ct, v => $"now {v.State}");

    public Task<Vm> ResumeAsync(Caller caller, string idOrName, CancellationToken ct) =>
        runner.RunAsync(caller, "vm.resume", $"vm/{idOrName}", async ct =>
        {
            var vm = await lookup.FindAsync(caller, idOrName, ct);
            if (vm.State == VmState.Running) return vm;
            if (vm.State != VmState.Suspended)
                throw DomainException.Conflict("vm.illegal-transition", $"Cannot resume VM '{vm.Name}': it is {vm.State}. Allowed when Suspended.");
            await CallDriverAsync(d => d.ResumeAsync(vm.Id, ct), "resume", vm);
            vm.Resume(time.GetUtcNow());
            return vm;
        }, ct, v => $"now {v.State}");

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
        runner.RunAsync(caller, "vm.lease", $"vm/{idOrName}", async ct =>
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

    private async Task CallDriverAsync(Func<INodeDriver, Task> call, string what, Vm vm)
    {
        if (vm.HostId is not { } host)
            throw DomainException.Conflict("vm.illegal-transition", $"Cannot {what} VM '{vm.Name}': it runs on no host.");
        try { await call(nodes.For(host)); }
        catch (DriverException e) { throw DomainException.Conflict("vm.driver-failed", $"Could not {what} VM '{vm.Name}': {e.Message}"); }
    }
}
