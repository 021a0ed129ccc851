using System.Globalization;
using System.Text;
using System.Text.Json;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Options;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Engine;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Output;
using Octopus.Simulation.Setup;

namespace Octopus.Simulation.Sweep;

/// <summary>One run of a sweep: a policy with one combination of the grid's options, and whether it is on the front.</summary>
/// <param name="Policy">The policy's name (with its parameter, e.g. lr-mmt-1.2).</param>
/// <param name="Options">The options the policy reads, as <c>key=value,…</c> (the grid's and the base settings').</param>
/// <param name="Result">What the run measured.</param>
/// <param name="Pareto">Whether no other run of the sweep beats it on energy, SLAV and migrations at once.</param>
public sealed record SweepRun(string Policy, string Options, SimulationResult Result, bool Pareto);

/// <summary><c>octopus simulate --sweep FILE</c>: runs every combination of a <see cref="SweepGrid"/> with each policy
/// named by <c>--policy</c> over the same workload, and reports the Pareto front over energy, SLAV and migrations (all
/// runs of all policies together, so a reference policy shows whether it is dominated). A policy the grid does not tune
/// (its option family is not in the grid) runs once.</summary>
public static class SweepCommand
{
    /// <summary>Runs the grid. The caller has validated the options, the policy names and the trace.</summary>
    public static IReadOnlyList<SweepRun> Run(SweepGrid grid, PolicySettings baseSettings, IReadOnlyList<string> policies,
        Workload workload, MemoryMode memory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(policies);
        var runs = new List<(string Policy, string Options, SimulationResult Result)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var settings in grid.Points(baseSettings))
        {
            foreach (var name in policies)
            {
                ct.ThrowIfCancellationRequested();
                var families = PolicyCatalog.FamiliesOf(name);
                var read = string.Join(",", settings.Values.Where(kv => families.Contains(kv.Key[..kv.Key.IndexOf('.', StringComparison.Ordinal)]))
                    .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
                if (!seen.Add($"{name}|{read}")) continue;
                if (!PolicyCatalog.TryCreate(name, settings, out var policy, out var error)) throw new InvalidOperationException(error);
                runs.Add((policy!.Name, read, Simulator.Run(workload, policy, memory, ct)));
            }
        }
        var front = new HashSet<int>(ParetoFront.Of([.. runs.Select(r => (r.Result.EnergyKWh, r.Result.Slav, (double)r.Result.Migrations))]));
        return [.. runs.Select((r, i) => new SweepRun(r.Policy, r.Options, r.Result, front.Contains(i)))];
    }

    /// <summary>The front as a table, by energy, with how many runs it was chosen from.</summary>
    public static string ToTable(IReadOnlyList<SweepRun> runs, LowerBound bound, string header)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var front = Front(runs);
        sb.Append(inv, $"{header}\n");
        sb.Append(inv, $"Pareto front over energy, SLAV and migrations: {front.Count} of {runs.Count} runs (by energy; tight bound {bound.TightKWh:0.00} kWh, reference {bound.ReferenceKWh:0.00} kWh)\n");
        sb.Append(inv, $"{"policy",-14} {"energy kWh",11} {"÷ tight",8} {"SLATAH",8} {"SLAV",10} {"migrations",11}  options\n");
        foreach (var r in front)
        {
            var ratio = bound.TightKWh > 0 ? r.Result.EnergyKWh / bound.TightKWh : 0;
            sb.Append(inv, $"{r.Policy,-14} {r.Result.EnergyKWh,11:0.00} {ratio,8:0.000} {r.Result.Slatah,8:0.00%} {r.Result.Slav,10:0.00e+0} {r.Result.Migrations,11:#,0}  {(r.Options.Length > 0 ? r.Options : "(defaults)")}\n");
        }
        return sb.ToString();
    }

    /// <summary>Every run, each with its <c>pareto</c> flag, and the bounds of the day.</summary>
    public static string ToJson(IReadOnlyList<SweepRun> runs, LowerBound bound, string traceName, MemoryMode memory)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var doc = new Dictionary<string, object>
        {
            ["trace"] = traceName,
            ["memory"] = SimulateCommand.Name(memory),
            ["lowerBoundTightKWh"] = Math.Round(bound.TightKWh, 4),
            ["referenceKWh"] = Math.Round(bound.ReferenceKWh, 4),
            ["runs"] = runs.Select(r => new Dictionary<string, object>
            {
                ["policy"] = r.Policy,
                ["options"] = r.Options,
                ["energyKWh"] = Math.Round(r.Result.EnergyKWh, 4),
                ["slatah"] = r.Result.Slatah,
                ["pdm"] = r.Result.Pdm,
                ["slav"] = r.Result.Slav,
                ["migrations"] = r.Result.Migrations,
                ["cpuSeconds"] = Math.Round(r.Result.CpuSeconds, 3),
                ["pareto"] = r.Pareto,
            }).ToList(),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    public static List<SweepRun> Front(IReadOnlyList<SweepRun> runs) =>
        [.. runs.Where(r => r.Pareto).OrderBy(r => r.Result.EnergyKWh).ThenBy(r => r.Result.Slav).ThenBy(r => r.Result.Migrations)];
}
