using System.Globalization;
using Google.OrTools.Sat;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Horizon;

/// <summary>Periodic re-pack with a migration budget, solved exactly with CP-SAT: choose which of the least-loaded
/// hosts to empty, and where each of their VMs goes, to maximise the energy saved over the horizon minus migration
/// cost, subject to forecast headroom, current load, memory and the budget.</summary>
/// <remarks>Greedy draining tries one host at a time in a fixed order and stops at the first VM that does not fit;
/// the solver sees combinations (two half-empty hosts whose VMs only fit if split across several targets). It runs
/// with one worker and a deterministic time limit so the same snapshot always gives the same plan.</remarks>
internal static class RepackSolver
{
    public static bool Drain(OctopusWorkspace work, OctopusOptions options)
    {
        var state = work.State;
        var budget = work.MigrationBudget - work.ConsolidationMigrations;
        if (budget <= 0) return false;
        var sources = work.DrainCandidates().Take(options.RepackCandidates).ToList();
        if (sources.Count == 0) return false;
        var targets = new List<int>();
        foreach (var h in state.OccupiedHosts)
        {
            if (work.IsOn(h) && state.VmsOn(h).Count > 0) targets.Add(h);
        }

        var seconds = options.HorizonSteps * work.Snapshot.Interval.TotalSeconds;
        var model = new CpModel();
        var drain = new Dictionary<int, BoolVar>();
        foreach (var s in sources)
        {
            if (!state.VmsOn(s).Any(work.WasMoved)) drain[s] = model.NewBoolVar($"drain{s}");
        }
        var moves = new List<(int Vm, int Source, int Target, BoolVar X)>();
        var perTargetForecast = targets.ToDictionary(t => t, _ => new List<(BoolVar, long)>());
        var perTargetCurrent = targets.ToDictionary(t => t, _ => new List<(BoolVar, long)>());
        var perTargetRam = targets.ToDictionary(t => t, _ => new List<(BoolVar, long)>());
        var objectiveTerms = new List<LinearExpr>();
        var all = new List<BoolVar>();
        foreach (var (s, y) in drain)
        {
            var value = work.DrainValue(s, 0) / 1000.0;
            objectiveTerms.Add(y * (long)Math.Round(value));
            foreach (var vm in state.VmsOn(s))
            {
                var choices = new List<BoolVar>();
                foreach (var t in targets)
                {
                    if (t == s || !work.Fits(vm, t, options.FillTarget)) continue;
                    var x = model.NewBoolVar(string.Create(CultureInfo.InvariantCulture, $"x{vm}_{t}"));
                    choices.Add(x);
                    all.Add(x);
                    moves.Add((vm, s, t, x));
                    // A host being emptied cannot receive VMs.
                    if (drain.TryGetValue(t, out var yt)) model.AddImplication(x, yt.Not());
                    perTargetForecast[t].Add((x, (long)Math.Ceiling(work.Forecast(vm))));
                    perTargetCurrent[t].Add((x, (long)Math.Ceiling(work.Snapshot.Vms[vm].RequestedMips)));
                    if (work.Snapshot.Memory == MemoryMode.Enforced)
                        perTargetRam[t].Add((x, (long)Math.Ceiling(work.Snapshot.Vms[vm].RamMb)));
                    var type = state.TypeOf(t);
                    var marginalJ = (type.MaxWatts - type.IdleWatts) / type.TotalMips * work.Forecast(vm) * seconds / 1000.0;
                    objectiveTerms.Add(x * -(long)Math.Round(marginalJ));
                }
                if (choices.Count == 0)
                {
                    model.Add(y == 0);
                    continue;
                }
                model.Add(LinearExpr.Sum(choices) == y);
            }
        }
        if (drain.Count == 0 || all.Count == 0) return false;
        foreach (var t in targets)
        {
            var type = state.TypeOf(t);
            AddCapacity(model, perTargetForecast[t], (long)Math.Floor((options.FillTarget * type.TotalMips) - work.HostForecast(t)));
            AddCapacity(model, perTargetCurrent[t], (long)Math.Floor(type.TotalMips - work.HostCurrent(t)));
            if (work.Snapshot.Memory == MemoryMode.Enforced)
                AddCapacity(model, perTargetRam[t], (long)Math.Floor(type.RamMb - state.RamUsed(t)));
        }
        model.Add(LinearExpr.Sum(all) <= budget);
        model.Maximize(LinearExpr.Sum(objectiveTerms));

        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture,
                $"num_search_workers:1 max_deterministic_time:{options.RepackTimeLimitSeconds} random_seed:1"),
        };
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible)) return false;
        var committed = false;
        foreach (var (s, y) in drain)
        {
            if (!solver.BooleanValue(y)) continue;
            var chosen = moves.Where(m => m.Source == s && solver.BooleanValue(m.X)).Select(m => (m.Vm, m.Target)).ToList();
            if (chosen.Count != state.VmsOn(s).Count) continue;
            // The model bounds CPU and memory per target; placement's filters (disk, cores) are asked move by move.
            if (!state.PlacementAllowsAll(chosen)) continue;
            work.CommitDrain(s, chosen);
            committed = true;
        }
        return committed;
    }

    private static void AddCapacity(CpModel model, List<(BoolVar X, long Weight)> terms, long capacity)
    {
        if (terms.Count == 0) return;
        var expr = LinearExpr.WeightedSum(terms.Select(t => t.X), terms.Select(t => t.Weight));
        model.Add(expr <= Math.Max(0, capacity));
    }
}
