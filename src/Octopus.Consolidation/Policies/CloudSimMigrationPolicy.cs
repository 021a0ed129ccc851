using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;
using Octopus.Consolidation.Selectors;

namespace Octopus.Consolidation.Policies;

/// <summary>CloudSim 3.0.3's dynamic consolidation (PowerVmAllocationPolicyMigrationAbstract): move VMs off overloaded
/// hosts, then try to empty the least-loaded hosts one by one, placing every VM power-aware best-fit decreasing.</summary>
/// <remarks>The pipeline and its quirks are kept because the published figures depend on them:
/// overloaded hosts are excluded as targets; the underload pass skips hosts observed unloaded ("switched off") and,
/// as in CloudSim, does not skip hosts that just received VMs from overloaded hosts; a host is emptied only if all its
/// VMs fit elsewhere, else its tentative moves are undone; hosts are ranked by their observed, not planned, load.</remarks>
public sealed class CloudSimMigrationPolicy : IConsolidationPolicy
{
    private readonly IOverloadDetector _detector;
    private readonly IVmSelector _selector;
    private readonly IVmPlacer _placer;
    // The last plan's state: its arrays are reused by the next (nothing of it is read after a plan returns).
    private PlacementState? _spare;

    public CloudSimMigrationPolicy(string name, IOverloadDetector detector, IVmSelector selector, IVmPlacer placer)
    {
        Name = name;
        _detector = detector ?? throw new ArgumentNullException(nameof(detector));
        _selector = selector ?? throw new ArgumentNullException(nameof(selector));
        _placer = placer ?? throw new ArgumentNullException(nameof(placer));
    }

    public string Name { get; }
    public PowerManagement PowerManagement => PowerManagement.LoadProportional;

    public ConsolidationPlan Plan(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // Taken, not shared: a plan running at the same time on another thread builds its own.
        var state = new PlacementState(snapshot, Interlocked.Exchange(ref _spare, null));
        // LR (with the threshold fallback, which reads no history) reads only its window of the host histories.
        if (_detector is LocalRegressionDetector { Fallback: StaticThresholdDetector }) state.LimitHistory(LocalRegressionDetector.Window);
        if (InitialPlacement.Needed(snapshot))
        {
            // CloudSim creates VMs at time 0 and optimises only from the first scheduling interval on.
            var placements = new List<VmPlacement>();
            var unplaced = new List<UnplacedVm>();
            InitialPlacement.Run(state, _placer, _detector, placements, unplaced);
            return new ConsolidationPlan(placements, [], PowerOnsFor(state, placements), unplaced);
        }

        var migrations = new List<VmMigration>();
        var overloaded = new HostSet(state.HostCount);
        var overloadedOrder = new List<(int Host, OverloadVerdict Verdict)>();
        foreach (var h in state.OccupiedHosts)
        {
            if (state.VmsOn(h).Count == 0) continue;
            var verdict = _detector.Evaluate(state, h, -1);
            if (verdict.Overloaded) overloadedOrder.Add((h, verdict));
        }
        foreach (var (h, _) in overloadedOrder) overloaded.Add(h);

        // 1. Overloaded hosts: take VMs off until the detector is satisfied.
        var toMigrate = new List<(int Vm, int From, double Risk)>();
        foreach (var (h, verdict) in overloadedOrder)
        {
            while (true)
            {
                var vm = _selector.Select(state, h);
                if (vm < 0) break;
                toMigrate.Add((vm, h, verdict.Metric));
                state.Remove(vm, h);
                if (!_detector.Evaluate(state, h, -1).Overloaded) break;
            }
        }
        SortByRequestedDescending(state, toMigrate);
        foreach (var (vm, from, risk) in toMigrate)
        {
            var choice = _placer.Choose(state, vm, overloaded, _detector);
            if (!choice.Found) continue;
            state.Add(vm, choice.Host);
            migrations.Add(new VmMigration(vm, from, choice.Host, PlanReason.HostOverloaded, new ExpectedEffect(-choice.PowerIncrease, 0, risk)));
        }

        // 2. Underloaded hosts, least loaded first.
        var excludedAsSource = new HostSet(state.HostCount);
        var excludedAsTarget = new HostSet(state.HostCount);
        var candidates = new List<int>();
        for (var h = 0; h < state.HostCount; h++)
        {
            if (overloaded.Contains(h)) { excludedAsSource.Add(h); excludedAsTarget.Add(h); continue; }
            var u = state.ObservedUtilisation(h);
            if (u == 0) { excludedAsSource.Add(h); excludedAsTarget.Add(h); continue; }
            if (u < 1) candidates.Add(h);
        }
        candidates.Sort((a, b) =>
        {
            var c = state.ObservedUtilisation(a).CompareTo(state.ObservedUtilisation(b));
            return c != 0 ? c : a.CompareTo(b);
        });
        var hostVms = new List<(int Vm, int From, double Risk)>();
        var tentative = new List<VmMigration>();
        foreach (var source in candidates)
        {
            if (excludedAsSource.Contains(source)) continue;
            if (state.VmsOn(source).Count == 0) continue;
            excludedAsSource.Add(source);
            excludedAsTarget.Add(source);
            hostVms.Clear();
            foreach (var vm in state.VmsOn(source)) hostVms.Add((vm, source, 0));
            SortByRequestedDescending(state, hostVms);
            tentative.Clear();
            var saved = state.ObservedWatts(source);
            var allPlaced = true;
            foreach (var (vm, _, _) in hostVms)
            {
                var choice = _placer.Choose(state, vm, excludedAsTarget, _detector);
                if (!choice.Found) { allPlaced = false; break; }
                state.Add(vm, choice.Host);
                tentative.Add(new VmMigration(vm, source, choice.Host, PlanReason.HostUnderloaded,
                    new ExpectedEffect((saved / hostVms.Count) - choice.PowerIncrease, 1, 0)));
            }
            if (!allPlaced)
            {
                foreach (var m in tentative) state.Remove(m.Vm, m.To);
                continue;
            }
            foreach (var m in tentative) excludedAsSource.Add(m.To);
            migrations.AddRange(tentative);
        }
        var plan = new ConsolidationPlan([], migrations, PowerActionsFor(state, migrations), []);
        Volatile.Write(ref _spare, state);
        return plan;
    }

    /// <summary>Descending by current request, stable (Java's Collections.sort is a stable merge sort).</summary>
    private static void SortByRequestedDescending(PlacementState state, List<(int Vm, int From, double Risk)> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            var item = list[i];
            var key = state.Requested(item.Vm);
            var j = i - 1;
            while (j >= 0 && state.Requested(list[j].Vm) < key)
            {
                list[j + 1] = list[j];
                j--;
            }
            list[j + 1] = item;
        }
    }

    private static List<HostPowerAction> PowerOnsFor(PlacementState state, List<VmPlacement> placements)
    {
        var actions = new List<HostPowerAction>();
        var seen = new HostSet(state.HostCount);
        foreach (var p in placements)
        {
            if (state.Snapshot.Hosts[p.Host].Power == HostPower.On || seen.Contains(p.Host)) continue;
            seen.Add(p.Host);
            actions.Add(new HostPowerAction(p.Host, HostPower.On, PlanReason.CapacityNeeded, new ExpectedEffect(-state.TypeOf(p.Host).IdleWatts, 0, 0)));
        }
        return actions;
    }

    /// <summary>Hosts the plan empties go off; unloaded hosts that receive VMs come on.</summary>
    internal static List<HostPowerAction> PowerActionsFor(PlacementState state, IReadOnlyList<VmMigration> migrations)
    {
        var actions = new List<HostPowerAction>();
        if (migrations.Count == 0) return actions;
        var snapshot = state.Snapshot;
        var count = new Dictionary<int, int>();
        var final = new Dictionary<int, int>();
        foreach (var m in migrations) final[m.Vm] = m.To;
        foreach (var (vm, to) in final)
        {
            var from = snapshot.Vms[vm].Host;
            if (from == to) continue;
            count[from] = count.GetValueOrDefault(from) - 1;
            count[to] = count.GetValueOrDefault(to) + 1;
        }
        var resident = new Dictionary<int, int>();
        foreach (var vm in snapshot.Vms)
        {
            if (vm.Host >= 0 && count.ContainsKey(vm.Host)) resident[vm.Host] = resident.GetValueOrDefault(vm.Host) + 1;
        }
        foreach (var (host, delta) in count.OrderBy(kv => kv.Key))
        {
            var before = resident.GetValueOrDefault(host);
            var after = before + delta;
            if (before > 0 && after == 0)
                actions.Add(new HostPowerAction(host, HostPower.Off, PlanReason.HostEmpty, new ExpectedEffect(state.ObservedWatts(host), 1, 0)));
            else if (before == 0 && after > 0 && snapshot.Hosts[host].Power == HostPower.Off)
                actions.Add(new HostPowerAction(host, HostPower.On, PlanReason.CapacityNeeded, new ExpectedEffect(-state.TypeOf(host).IdleWatts, 0, 0)));
        }
        return actions;
    }
}
