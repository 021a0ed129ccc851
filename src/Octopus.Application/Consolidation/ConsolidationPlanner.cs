using Microsoft.EntityFrameworkCore;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Application.Configuration;
using Octopus.Application.Control;
using EngineSnapshot = Octopus.Consolidation.Model.ClusterSnapshot;

namespace Octopus.Application.Consolidation;

/// <summary>Runs the consolidation engine on the live cluster: builds the engine's snapshot from the store and the
/// telemetry history (the same engine <c>octopus simulate</c> runs on traces), and turns its plan back into named
/// steps. Pure with respect to the store: it reads, never writes.</summary>
public sealed class ConsolidationPlanner(OctopusDbContext db, Microsoft.Extensions.Options.IOptions<SchedulerOptions> options, ConsolidationModeStore modes,
    TimeProvider time, IPlacer placer)
{
    /// <summary>One step of a plan, with the ids needed to apply it.</summary>
    public sealed record Step(PlanStepDto View, VmId? Vm, HostId? From, HostId? To, HostId? Host);

    public sealed record Result(PlanDto View, IReadOnlyList<Step> Steps);

    public async Task<Result> PlanAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
        hosts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var vms = await db.Vms.AsNoTracking().Where(v => v.HostId != null).ToListAsync(ct);
        var watts = hosts.Sum(h => h.PowerDraw.Value);
        var mode = modes.Mode;
        var policy = CreatePolicy(options.Value);

        // Hosts that placement may not use (maintenance, failed, in transition) are left out: the engine must not
        // plan moves onto them, nor power them off under a running operation.
        var usable = hosts.Where(h => !h.Maintenance && h.PowerState is HostPowerState.On or HostPowerState.Off).ToList();
        var hostIndex = usable.Select((h, i) => (h.Id, i)).ToDictionary(x => x.Id, x => x.i);
        // VMs mid-operation stay put; VMs on hosts outside the usable set are not the engine's to move.
        var movable = vms.Where(v => v.State is VmState.Running or VmState.Stopped && hostIndex.ContainsKey(v.HostId!.Value)).ToList();
        var pinned = vms.Except(movable).ToList();

        var types = usable.Select(h => new HostType(h.Name, h.Capacity.Cores, h.Capacity.MipsPerCore.Value, h.Capacity.Memory.TotalMiB, 1000, h.PowerModel)).ToList();
        // The engine's VMs are one "core" of Mips; an Octopus VM of n vCPUs asks n times the slowest host's core speed.
        var vcpuMips = usable.Count == 0 ? 1000 : usable.Min(h => h.Capacity.MipsPerCore.Value);
        var step = IntervalNumber(now);
        var vmViews = new VmSnapshot[movable.Count];
        var history = new UtilisationHistory(movable.Count);
        // Loads and histories as the store has them (the leader writes them), so every replica plans from the same figures.
        var readings = await TelemetryCache.ReadAsync(db, [.. movable.Select(v => v.Id)], ct);
        for (var i = 0; i < movable.Count; i++)
        {
            var v = movable[i];
            var reading = readings.GetValueOrDefault(v.Id);
            var load = v.State == VmState.Running ? reading?.Load ?? 0 : 0;
            vmViews[i] = new VmSnapshot(v.Geometry.Cores * vcpuMips, v.Geometry.Memory.TotalMiB, 100, hostIndex[v.HostId!.Value], load, i);
            foreach (var sample in reading?.History ?? Array.Empty<double>()) history.Push(i, sample);
        }
        // Power cycles come from the journal: each host's power-offs that completed in the last 24 hours (the policy's
        // daily cap, octopus.max-cycles, keeps a host on once it has had that many).
        var dayAgo = now - TimeSpan.FromDays(1);
        var offs = (await db.Operations.AsNoTracking()
                .Where(o => o.Kind == OperationKind.PowerOffHost && o.Status == OperationStatus.Succeeded && o.CompletedAt >= dayAgo)
                .Select(o => o.HostId).ToListAsync(ct))
            .OfType<HostId>().CountBy(id => id).ToDictionary(x => x.Key, x => x.Value);
        var hostViews = usable.Select((h, i) => new HostSnapshot(i,
            vmViews.Where(v => v.Host == i).Sum(v => v.RequestedMips),
            h.PowerState == HostPowerState.On || movable.Any(v => v.HostId == h.Id) ? HostPower.On : HostPower.Off,
            IntervalNumber(h.PowerStateChangedAt))
        {
            PowerOffsInLastDay = offs.GetValueOrDefault(h.Id),
        }).ToArray();
        // Hosts holding pinned VMs (mid-operation) must look occupied, or the engine would power them off.
        var pinnedHosts = pinned.Where(v => v.HostId is { } id && hostIndex.ContainsKey(id)).Select(v => hostIndex[v.HostId!.Value]).ToHashSet();

        // One feasibility model: the engine asks placement's filters (cores, memory, disk, maintenance, power state) of the
        // same snapshot placement and the committer read (PlacementPass.SnapshotAsync), before it puts a VM anywhere.
        var placement = await PlacementPass.SnapshotAsync(db, ct);
        var placementViews = placement.ToDictionary(v => v.Id);
        var feasibility = new PlacementFeasibility(placer, [.. usable.Select(h => placementViews[h.Id])], [.. movable.Select(PlacementRequest.For)]);
        var plan = mode == ConsolidationMode.Off || usable.Count == 0
            ? ConsolidationPlan.Empty
            : policy.Plan(new EngineSnapshot
            {
                HostTypes = types, Hosts = hostViews, Vms = vmViews, History = history, Memory = MemoryMode.Enforced,
                Step = step, Interval = options.Value.ConsolidationInterval, Feasibility = feasibility,
            });

        // The committer asks the same filters again (PlanWalk) and now takes every move; the walk here only counts what
        // each host holds once the moves are done, so a power-off stays only if they empty the host. A move onto a host
        // this plan powers on waits for a later plan: the host takes VMs once it is on.
        var walk = PlanWalk.From(placer, placement);
        var dropped = new List<string>();
        var waiting = new List<string>();
        var steps = new List<Step>();
        foreach (var m in plan.Migrations)
        {
            var vm = movable[m.Vm];
            if (usable[m.To].PowerState == HostPowerState.Off)
            {
                waiting.Add($"{vm.Name.Value} → {usable[m.To].Name}");
                continue;
            }
            if (walk.TryMigrate(PlacementRequest.For(vm), usable[m.From].Id, usable[m.To].Id) is { } refused)
            {
                dropped.Add($"{vm.Name.Value} → {usable[m.To].Name}: {refused}");
                continue;
            }
            steps.Add(new Step(new PlanStepDto("migrate", vm.Name.Value, usable[m.From].Name, usable[m.To].Name, null, Describe(m.Reason),
                Math.Round(m.Effect.WattsSaved, 1), m.Effect.HostsFreed, Math.Round(m.Effect.SlaRisk, 4)), vm.Id, usable[m.From].Id, usable[m.To].Id, null));
        }
        foreach (var p in plan.PowerActions)
        {
            var host = usable[p.Host];
            if (p.Target == HostPower.Off && pinnedHosts.Contains(p.Host)) continue;
            if (p.Target == HostPower.Off && walk.VmsLeftOn(host.Id) is > 0 and var left)
            {
                dropped.Add($"power-off {host.Name}: {left} VM(s) would stay on it");
                continue;
            }
            if ((p.Target == HostPower.Off) == (host.PowerState == HostPowerState.Off)) continue; // already so
            steps.Add(new Step(new PlanStepDto(p.Target == HostPower.Off ? "power-off" : "power-on", null, null, null, host.Name, Describe(p.Reason),
                Math.Round(p.Effect.WattsSaved, 1), p.Effect.HostsFreed, Math.Round(p.Effect.SlaRisk, 4)), null, null, null, host.Id));
        }
        var saved = steps.Sum(s => s.View.WattsSaved);
        var summary = mode == ConsolidationMode.Off ? "consolidation is off: no plan is computed (set the mode to manual or automatic)"
            : steps.Count == 0 ? $"nothing to do: {policy.Name} finds no move worth its cost ({usable.Count(h => h.PowerState == HostPowerState.On)} hosts on, {movable.Count} VMs)"
            : $"{steps.Count(s => s.View.Kind == "migrate")} migration(s), {steps.Count(s => s.View.Kind == "power-off")} power-off(s), " +
              $"{steps.Count(s => s.View.Kind == "power-on")} power-on(s); expected saving {saved:0.#} W";
        if (waiting.Count > 0)
            summary += $"; {waiting.Count} migration(s) wait for their destination to power on ({string.Join("; ", waiting.Take(3))}"
                + (waiting.Count > 3 ? $"; and {waiting.Count - 3} more)" : ")");
        if (dropped.Count > 0)
            summary += $"; {dropped.Count} step(s) left out because placement refuses them now ({string.Join("; ", dropped.Take(3))}"
                + (dropped.Count > 3 ? $"; and {dropped.Count - 3} more)" : ")");
        // Hosts the policy keeps on for hysteresis are not steps, but an operator asks why an idle host stays on.
        var held = plan.Held.Where(h => usable[h.Host].PowerState == HostPowerState.On).Select(h => $"{usable[h.Host].Name} {h.Reason}").ToList();
        if (held.Count > 0)
            summary += $"; {held.Count} host(s) kept on ({string.Join("; ", held.Take(3))}" + (held.Count > 3 ? $"; and {held.Count - 3} more)" : ")");
        var view = new PlanDto(mode.ToString().ToLowerInvariant(), policy.Name, now, Math.Round(watts, 1), Math.Round(saved, 1), summary,
            [.. steps.Select(s => s.View)]);
        return new Result(view, steps);
    }

    /// <summary>The configured policy with the configured options.</summary>
    public static IConsolidationPolicy CreatePolicy(SchedulerOptions settings)
    {
        return PolicyCatalog.TryCreate(settings.PolicyName, settings.Policy(), out var policy, out var error)
            ? policy!
            : throw new InvalidOperationException(error); // validated at start-up
    }

    /// <summary>Interval number since the Unix epoch: stable across restarts, so hysteresis survives them.</summary>
    private int IntervalNumber(DateTimeOffset at) => (int)Math.Clamp(at.ToUnixTimeMilliseconds() / options.Value.ConsolidationInterval.TotalMilliseconds, int.MinValue + 1, int.MaxValue);

    private static string Describe(PlanReason reason) => reason switch
    {
        PlanReason.InitialPlacement => "initial placement",
        PlanReason.HostOverloaded => "source host is (or is forecast to be) overloaded",
        PlanReason.HostUnderloaded => "source host is underloaded: emptying it lets it be switched off",
        PlanReason.Repack => "a re-pack found a cheaper assignment worth its migrations",
        PlanReason.HostEmpty => "host is empty and demand has stayed low long enough",
        PlanReason.CapacityNeeded => "capacity is needed (or forecast) for VMs",
        _ => reason.ToString(),
    };
}
