using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Retries;
using Octopus.Policies.Triggers;

namespace Octopus.Application.Policies;

/// <summary>One pass of the policy runtime: sample telemetry into the CPU history, derive events (VM state changed, host
/// failed, lease expiring) from what changed since the last pass, evaluate the due policies and the ones reacting to
/// events, run due scripts, execute every intended action (each through the command path, as the policy's owner, in its
/// own scope) and retry failed actions whose backoff has passed; then write the CPU samples and states seen to the store
/// (<see cref="PolicyRuntimeStore"/>) for the next leader. Passes never overlap.</summary>
public sealed partial class PolicyPass(OctopusDbContext db, PolicyCatalog catalog, PolicySnapshotBuilder builder, PolicyRuntimeState state,
    PolicyEventQueue events, PolicyEngine engine, PolicySettings settings, RetrySchedule retries, IServiceScopeFactory scopes, TimeProvider time,
    ILogger<PolicyPass> log)
{
    private readonly HashSet<(string Policy, Guid Vm, string Kind)> _attempted = [];

    /// <summary>Returns how many actions were attempted.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await state.RunLock.WaitAsync(ct);
        try { return await RunLockedAsync(ct); }
        finally { state.RunLock.Release(); }
    }

    private async Task<int> RunLockedAsync(CancellationToken ct)
    {
        _attempted.Clear();
        var now = time.GetUtcNow();
        var world = await builder.BuildAsync(now, ct);
        if (settings.SampleTelemetry && now - state.LastSample >= settings.SampleEvery)
        {
            builder.Sample(world, now, settings.SampleEvery);
            world = await builder.BuildAsync(now, ct); // the snapshot's CPU histories now include this sample
        }
        DeriveEvents(world, now);

        var policies = await catalog.LoadAllAsync(ct);
        var enabled = policies.Where(p => p.Record.Enabled && p.Error is null).ToList();
        var compiled = enabled.Where(p => p.Compiled is not null).ToList();
        var attempted = 0;

        // Retries first: they were promised a time, and their VMs may be touched again below.
        attempted += await RetryDueAsync(now, ct);

        var triggers = new PolicyTriggers(time);
        var due = compiled.Where(p => p.Compiled!.Document.Trigger is not Octopus.Policies.Documents.EventTrigger &&
            triggers.IsDue(p.Compiled!, p.Record.LastRunAt ?? p.Record.CreatedAt)).ToList();
        if (due.Count > 0)
        {
            var result = engine.Evaluate(world.Snapshot, due.Select(p => p.Compiled!));
            var ran = result.Actions.Count > 0 ? await ActedSinceOccurrenceAsync(due, ct) : null;
            attempted += await ExecuteAsync(result, policies, ct, ran);
            await MarkRunAsync(due.Select(p => p.Name), now, ct);
        }

        foreach (var e in events.Drain())
        {
            var reacting = PolicyTriggers.ReactingTo(compiled.Select(p => p.Compiled!), e);
            if (reacting.Count == 0) continue;
            LogEvent(log, e.Kind.ToString(), reacting.Count);
            var result = engine.Evaluate(world.Snapshot, reacting, e);
            var reacted = result.Actions.Count > 0 && e.Kind == Octopus.Policies.Documents.PolicyEventKind.VmStateChanged && e.Vm is { } changed ? await ReactedSinceChangeAsync(changed, result, ct) : null;
            attempted += await ExecuteAsync(result, policies, ct, reacted);
            await MarkRunAsync(reacting.Select(p => p.Name), now, ct);
        }

        foreach (var p in enabled.Where(p => p.Script is not null && now - (p.Record.LastRunAt ?? p.Record.CreatedAt) >= p.ScriptHeader!.Interval))
        {
            var run = await p.Script!.RunAsync(world.Snapshot, time, ct);
            await MarkRunAsync([p.Name], now, ct);
            if (run.Outcome != Octopus.Policies.Scripting.ScriptOutcome.Completed)
            {
                db.Audit.Add(AuditEntry.Record(now, $"{p.Record.Owner} via policy {p.Name}", "policy.script", $"policy/{p.Name}", false,
                    $"{run.Outcome}: {run.Error}"));
                await db.SaveChangesAsync(ct);
                continue;
            }
            var result = engine.Evaluate(world.Snapshot, [], scriptProposals: run.Proposals);
            attempted += await ExecuteAsync(result, policies, ct);
        }
        // Last, so a leader that dies mid-pass leaves the previous states: its successor derives the same events again
        // (none is lost; ReactedSinceChangeAsync keeps a VM's change from being reacted to twice).
        await PolicyRuntimeStore.SaveAsync(db, state, now, ct);
        return attempted;
    }

    private void DeriveEvents(PolicyWorld world, DateTimeOffset now)
    {
        var vmStates = world.Vms.ToDictionary(v => v.Id, v => v.State);
        var hostStates = world.Hosts.ToDictionary(h => h.Id, h => h.PowerState);
        if (state.VmStates is { } before)
            foreach (var (id, s) in vmStates)
                if (before.TryGetValue(id, out var old) && old != s) events.Publish(PolicyEvent.VmStateChanged(id));
        if (state.HostStates is { } hostsBefore)
            foreach (var (id, s) in hostStates)
                if (s == HostPowerState.Failed && hostsBefore.TryGetValue(id, out var old) && old != HostPowerState.Failed)
                    events.Publish(PolicyEvent.HostFailed(id));
        state.VmStates = vmStates;
        state.HostStates = hostStates;
        foreach (var vm in world.Vms)
            if (vm.LeaseExpiresAt is { } lease && lease - now <= settings.LeaseWarning && state.LeaseEventsSent.Add((vm.Id, lease)))
                events.Publish(PolicyEvent.LeaseExpiring(vm.Id));
    }

    /// <summary>The reacting policies (as their actor, "OWNER via policy NAME") that already acted on <paramref name="vm"/>
    /// since its state last changed. The entry of an action that journals work (shutdown, suspend, delete, checkpoint,
    /// move) is written in the same unit of work as the work itself, so a leader that died after acting and before saving
    /// the states it saw (its successor derives the same change again) does not act twice on one change.</summary>
    private async Task<HashSet<(string Actor, string Target)>> ReactedSinceChangeAsync(VmId vm, PolicyEvaluation result, CancellationToken ct)
    {
        var v = await db.Vms.AsNoTracking().Where(x => x.Id == vm).Select(x => new { x.Name, x.StateChangedAt }).FirstOrDefaultAsync(ct);
        if (v is null) return [];
        var since = result.Actions.Select(a => PolicyActionExecutor.ActorOf(a.PolicyOwner, a.Policy)).Distinct().ToDictionary(a => a, _ => v.StateChangedAt);
        return await ActedSinceAsync(since, $"vm/{v.Name.Value}", ct);
    }

    /// <summary>The VMs each due time-triggered policy already acted on in this run: since the first occurrence it is due
    /// for. The run is recorded (<see cref="MarkRunAsync"/>) after its actions, so a leader that died in between is due
    /// again at the next start; the entries of the actions it took commit with their work, so the run goes on with the
    /// VMs it had not reached and touches none twice. A failed action's retry before that occurrence belongs to the
    /// previous run.</summary>
    private async Task<HashSet<(string Actor, string Target)>> ActedSinceOccurrenceAsync(IReadOnlyList<LoadedPolicy> due, CancellationToken ct)
    {
        var since = new Dictionary<string, DateTimeOffset>();
        foreach (var p in due)
            if (PolicyTriggers.NextDue(p.Compiled!, p.Record.LastRunAt ?? p.Record.CreatedAt) is { } occurrence)
                since[PolicyActionExecutor.ActorOf(p.Owner, p.Name)] = occurrence;
        return await ActedSinceAsync(since, target: null, ct);
    }

    /// <summary>(actor, VM target) of each successful audit entry of a policy actor in <paramref name="since"/> at or after
    /// that actor's time, on <paramref name="target"/> only when one is given. Audit.At is indexed (stored as UTC ticks),
    /// so only the entries since the earliest of the times are read.</summary>
    private async Task<HashSet<(string Actor, string Target)>> ActedSinceAsync(IReadOnlyDictionary<string, DateTimeOffset> since, string? target,
        CancellationToken ct)
    {
        if (since.Count == 0) return [];
        var actors = since.Keys.ToList();
        var earliest = since.Values.Min();
        var entries = db.Audit.AsNoTracking().Where(a => a.At >= earliest && actors.Contains(a.Actor) && a.Succeeded);
        entries = target is null ? entries.Where(a => a.Target.StartsWith("vm/")) : entries.Where(a => a.Target == target);
        var recent = await entries.Select(a => new { a.Actor, a.Target, a.At }).ToListAsync(ct);
        return [.. recent.Where(a => a.At >= since[a.Actor]).Select(a => (a.Actor, a.Target))];
    }

    private async Task<int> ExecuteAsync(PolicyEvaluation result, IReadOnlyList<LoadedPolicy> policies, CancellationToken ct,
        IReadOnlySet<(string Actor, string Target)>? acted = null)
    {
        foreach (var problem in result.Problems) LogProblem(log, problem.Policy, problem.Message);
        var pending = await db.PolicyActions.AsNoTracking().Where(a => a.NextAttemptAt != null)
            .Select(a => new { a.Policy, a.VmId, a.Action }).ToListAsync(ct);
        var waiting = pending.Select(a => (a.Policy, a.VmId, a.Action)).ToHashSet();
        var count = 0;
        foreach (var action in result.Actions)
        {
            var request = PolicyActionRequest.From(action);
            if (waiting.Contains((action.Policy, action.Vm.Value, request.Kind))) continue; // a retry is already scheduled
            if (acted is not null && acted.Contains((PolicyActionExecutor.ActorOf(action.PolicyOwner, action.Policy), $"vm/{action.VmName}")))
                continue; // this change or this run already acted on the VM
            if (!_attempted.Add((action.Policy, action.Vm.Value, request.Kind))) continue; // already tried in this pass
            await AttemptAsync(action.Policy, action.PolicyOwner, request, action.Vm, action.VmName, action.Reason, 1, ct);
            count++;
        }
        return count;
    }

    private async Task<int> RetryDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var due = (await db.PolicyActions.Where(a => a.NextAttemptAt != null).ToListAsync(ct))
            .Where(a => a.NextAttemptAt <= now).OrderBy(a => a.NextAttemptAt).ToList();
        if (due.Count == 0) return 0;
        foreach (var a in due) a.NextAttemptAt = null; // each retry is taken once; its outcome is a new history entry
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var owners = await db.Policies.AsNoTracking().ToDictionaryAsync(p => p.Name, p => p.Owner, ct);
        foreach (var a in due)
        {
            if (!owners.TryGetValue(a.Policy, out var owner)) continue; // the policy was deleted: nothing to retry for
            var request = PolicyActionRequest.FromJson(a.Parameters);
            _attempted.Add((a.Policy, a.VmId, request.Kind));
            await AttemptAsync(a.Policy, Domain.Users.UserName.Parse(owner, "owner"), request, new VmId(a.VmId), a.VmName, a.Reason,
                a.Attempt + 1, ct);
        }
        return due.Count;
    }

    private async Task AttemptAsync(string policy, Domain.Users.UserName owner, PolicyActionRequest request, VmId vm, string vmName, string reason,
        int attempt, CancellationToken ct)
    {
        string? error;
        await using (var scope = scopes.CreateAsyncScope())
            error = await scope.ServiceProvider.GetRequiredService<PolicyActionExecutor>()
                .ExecuteAsync(policy, owner, request, vm, vmName, reason, attempt, ct);
        var now = time.GetUtcNow();
        var record = new PolicyActionRecord
        {
            Policy = policy, At = now, VmId = vm.Value, VmName = vmName, Action = request.Kind, Parameters = request.ToJson(),
            Result = "ok", Reason = reason.Length > 2000 ? reason[..2000] : reason, Attempt = attempt,
        };
        if (error is not null)
        {
            record.Error = error.Length > 2000 ? error[..2000] : error;
            var decision = retries.After(attempt, now, $"{policy}/{vm}/{request.Kind}");
            if (decision.GiveUp)
            {
                record.Result = "gave-up";
                db.Audit.Add(AuditEntry.Record(now, $"{owner} via policy {policy}"[..Math.Min(64, $"{owner} via policy {policy}".Length)],
                    "policy.gave-up", $"vm/{vmName}", false, $"{request.Kind} failed {attempt} times; giving up: {decision.Explanation}"));
            }
            else
            {
                record.Result = "failed";
                record.NextAttemptAt = decision.RetryAt;
            }
            LogActionFailed(log, policy, request.Kind, vmName, attempt, error);
        }
        db.PolicyActions.Add(record);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private async Task MarkRunAsync(IEnumerable<string> names, DateTimeOffset now, CancellationToken ct)
    {
        var list = names.Distinct().ToList();
        var records = await db.Policies.Where(p => list.Contains(p.Name)).ToListAsync(ct);
        foreach (var r in records) r.LastRunAt = now;
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "policy event {Event}: {Count} policies react")]
    private static partial void LogEvent(ILogger logger, string @event, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "policy {Policy}: {Message}")]
    private static partial void LogProblem(ILogger logger, string policy, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "policy {Policy}: {Action} of VM {Vm} failed (attempt {Attempt}): {Error}")]
    private static partial void LogActionFailed(ILogger logger, string policy, string action, string vm, int attempt, string error);
}
