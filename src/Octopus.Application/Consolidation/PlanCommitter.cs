using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Application.Commands;
using Octopus.Application.Control;

namespace Octopus.Application.Consolidation;

/// <summary>Applies a consolidation plan optimistically: each step is re-checked against the store as it is now (the
/// VM still runs where the plan saw it, the destination passes every placement filter, a host to power off is empty)
/// and either started as a journaled operation or skipped with the reason. Every started step is audited.</summary>
public sealed class PlanCommitter(OctopusDbContext db, IPlacer placer, TimeProvider time, IControlSignal signal)
{
    public async Task<PlanDto> ApplyAsync(ConsolidationPlanner.Result plan, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var walk = await PlanWalk.StartAsync(db, placer, ct);
        var results = new List<PlanStepDto>();
        foreach (var step in plan.Steps)
        {
            var outcome = step.View.Kind switch
            {
                "migrate" => await MigrateAsync(step, walk, actor, now, ct),
                "power-off" => await PowerAsync(step.Host!.Value, on: false, actor, now, ct),
                "power-on" => await PowerAsync(step.Host!.Value, on: true, actor, now, ct),
                _ => $"skipped: unknown step kind {step.View.Kind}",
            };
            results.Add(step.View with { Result = outcome });
            if (outcome == "started")
                db.Audit.Add(AuditEntry.Record(now, actor, $"plan.{step.View.Kind}", step.View.Vm is { } vm ? $"vm/{vm}" : $"host/{step.View.Host}",
                    true, "ok", step.View.Reason));
        }
        await db.SaveChangesAsync(ct);
        signal.Wake();
        var started = results.Count(r => r.Result == "started");
        return plan.View with
        {
            Steps = results,
            Summary = $"{plan.View.Summary}; applied: {started} started, {results.Count - started} skipped",
        };
    }

    private async Task<string> MigrateAsync(ConsolidationPlanner.Step step, PlanWalk walk, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == step.Vm, ct);
        if (vm is null) return "skipped: the VM is gone";
        if (vm.HostId != step.From) return "skipped: the VM has moved since the plan was made";
        if (vm.State != VmState.Running) return $"skipped: the VM is {vm.State}; only running VMs are live-migrated";
        if (walk.TryMigrate(PlacementRequest.For(vm), step.From!.Value, step.To!.Value) is { } why) return "skipped: " + why;
        OperationJournal.BeginMigration(db, vm, step.To!.Value, step.View.To!, actor, now);
        return "started";
    }

    private async Task<string> PowerAsync(HostId id, bool on, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var host = await db.Hosts.FirstOrDefaultAsync(h => h.Id == id, ct);
        if (host is null) return "skipped: the host is gone";
        if (host.Maintenance) return "skipped: the host is in maintenance";
        if (on)
        {
            if (host.PowerState != HostPowerState.Off) return $"skipped: the host is {host.PowerState}";
            OperationJournal.BeginPowerChange(db, host, on: true, actor, now);
            return "started";
        }
        if (host.PowerState != HostPowerState.On) return $"skipped: the host is {host.PowerState}";
        var held = await db.Vms.CountAsync(v => v.HostId == id, ct)
            + db.Vms.Local.Count(v => v.State == VmState.Migrating && v.HostId == id);
        // VMs migrating onto this host also hold it.
        held += await db.Operations.CountAsync(o => o.Kind == OperationKind.MigrateVm && o.TargetHostId == id
            && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running), ct);
        if (held > 0) return $"deferred: {held} VM(s) still on it; it is powered off on a later pass once empty";
        OperationJournal.BeginPowerChange(db, host, on: false, actor, now);
        return "started";
    }
}
