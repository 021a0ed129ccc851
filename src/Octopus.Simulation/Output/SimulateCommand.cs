using System.Globalization;
using System.Text.Json;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Options;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Engine;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Setup;
using Octopus.Simulation.Sweep;
using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Output;

/// <summary>The entry point behind <c>octopus simulate</c>: validates the options, runs each policy over the trace and
/// prints a table or JSON. Bad input gives a one-line message and exit code 2, never a stack trace.</summary>
public static class SimulateCommand
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitBadInput = 2;

    public static Task<int> RunAsync(SimulateOptions options, TextWriter output, CancellationToken ct) => RunAsync(options, output, output, ct);

    /// <summary>As above, with error lines ("error: …") written to <paramref name="errors"/> instead of the results' writer.</summary>
    public static async Task<int> RunAsync(SimulateOptions options, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        if (options is null)
        {
            await errors.WriteLineAsync("error: no options given.").ConfigureAwait(false);
            return ExitBadInput;
        }
        if (options.Scale is < 1 or > SimulateOptions.MaxScale)
        {
            await errors.WriteLineAsync($"error: --scale must be a whole number from 1 to {SimulateOptions.MaxScale}; got {options.Scale}.").ConfigureAwait(false);
            return ExitBadInput;
        }
        if (options.Policies is null || options.Policies.Count == 0)
        {
            await errors.WriteLineAsync($"error: no policy given; pass --policy with one or more of {string.Join(", ", PolicyCatalog.StandardNames)}.").ConfigureAwait(false);
            return ExitBadInput;
        }
        if (!TryResolveSettings(options, out var settings, out var settingsError))
        {
            await errors.WriteLineAsync($"error: {settingsError}.").ConfigureAwait(false);
            return ExitBadInput;
        }
        SweepGrid? grid = null;
        if (options.SweepFile is { } sweepFile && !SweepGrid.TryLoad(sweepFile, out grid, out var sweepError))
        {
            await errors.WriteLineAsync($"error: {sweepError}.").ConfigureAwait(false);
            return ExitBadInput;
        }
        var policies = new List<IConsolidationPolicy>();
        foreach (var name in options.Policies)
        {
            if (!PolicyCatalog.TryCreate(name, settings, out var policy, out var error))
            {
                await errors.WriteLineAsync($"error: {error}.").ConfigureAwait(false);
                return ExitBadInput;
            }
            policies.Add(policy!);
        }
        if (options.PlotFile is { } plot)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(plot));
            if (dir is not null && !Directory.Exists(dir))
            {
                await errors.WriteLineAsync($"error: cannot write plot '{plot}': folder '{dir}' does not exist.").ConfigureAwait(false);
                return ExitBadInput;
            }
        }
        if (!VmOrder.TryParse(options.Order, out var order, out var orderError))
        {
            await errors.WriteLineAsync($"error: {orderError}.").ConfigureAwait(false);
            return ExitBadInput;
        }
        var perturbations = new List<TracePerturbation>();
        foreach (var text in options.Perturbations)
        {
            if (!TracePerturbation.TryParse(text, out var p, out var perturbError))
            {
                await errors.WriteLineAsync($"error: {perturbError}.").ConfigureAwait(false);
                return ExitBadInput;
            }
            perturbations.Add(p!);
        }
        PlanetLabTrace trace;
        try
        {
            trace = order.Apply(PlanetLabTrace.Load(options.TraceDirectory));
            foreach (var p in perturbations) trace = p.Apply(trace);
        }
        catch (TraceException e)
        {
            await errors.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitBadInput;
        }

        var workload = StandardSetup.Build(trace, options.Scale);
        var bound = EnergyLowerBound.Compute(workload, options.Memory);
        bound = bound with { ReferenceKWh = ReferencePacker.ComputeKWh(workload, options.Memory, options.Scale) };
        if (grid is not null) return await RunSweepAsync(grid, settings, options, workload, bound, trace, output, errors, ct).ConfigureAwait(false);
        var results = new List<SimulationResult>();
        try
        {
            foreach (var policy in policies)
            {
                ct.ThrowIfCancellationRequested();
                results.Add(await Task.Run(() => Simulator.Run(workload, policy, options.Memory, ct), ct).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return ExitFailure;
        }
        catch (InvalidOperationException e)
        {
            await errors.WriteLineAsync($"error: the simulation stopped: {e.Message}").ConfigureAwait(false);
            return ExitFailure;
        }

        if (options.Json) await output.WriteLineAsync(ToJson(results, bound, settings.ToString(), trace.Name)).ConfigureAwait(false);
        else await output.WriteAsync(ToTable(results, bound, trace, options, settings.ToString())).ConfigureAwait(false);

        if (options.PlotFile is { } file)
        {
            var title = $"PlanetLab {trace.Name}, {workload.HostCount} hosts, {workload.Vms.Length} VMs, memory {Name(options.Memory)}";
            try
            {
                await File.WriteAllTextAsync(file, SvgPlotWriter.Render(results, title, workload.IntervalSeconds), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await errors.WriteLineAsync($"error: cannot write plot '{file}': {e.Message}").ConfigureAwait(false);
                return ExitFailure;
            }
        }
        return ExitOk;
    }

    private static async Task<int> RunSweepAsync(SweepGrid grid, PolicySettings settings, SimulateOptions options, Workload workload,
        LowerBound bound, PlanetLabTrace trace, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        IReadOnlyList<SweepRun> runs;
        try
        {
            runs = await Task.Run(() => SweepCommand.Run(grid, settings, options.Policies, workload, options.Memory, ct), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return ExitFailure;
        }
        catch (InvalidOperationException e)
        {
            await errors.WriteLineAsync($"error: the sweep stopped: {e.Message}").ConfigureAwait(false);
            return ExitFailure;
        }
        var title = $"PlanetLab {trace.Name}, {workload.HostCount} hosts, {workload.Vms.Length} VMs, memory {Name(options.Memory)}";
        if (options.Json) await output.WriteLineAsync(SweepCommand.ToJson(runs, bound, trace.Name, options.Memory)).ConfigureAwait(false);
        else
        {
            var header = $"sweep of {grid.PointCount} combinations of {string.Join(", ", grid.Axes.Select(a => a.Key))} × {string.Join(", ", options.Policies)} on {title}";
            await output.WriteAsync(SweepCommand.ToTable(runs, bound, header)).ConfigureAwait(false);
        }
        if (options.PlotFile is { } file)
        {
            try
            {
                await File.WriteAllTextAsync(file, SweepPlotWriter.Render(runs, $"Sweep: {title}"), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await errors.WriteLineAsync($"error: cannot write plot '{file}': {e.Message}").ConfigureAwait(false);
                return ExitFailure;
            }
        }
        return ExitOk;
    }

    /// <summary>The policy options a run uses: the policy file's, then each <c>--option</c> in order (later wins).</summary>
    public static bool TryResolveSettings(SimulateOptions options, out PolicySettings settings, out string error)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings = PolicySettings.Defaults;
        error = "";
        if (options.PolicyFile is { } file && !PolicyFile.TryLoad(file, out settings, out error)) return false;
        foreach (var a in options.OptionAssignments)
        {
            if (!settings.TryApply(a, out settings, out error)) return false;
        }
        return true;
    }

    public static string Name(MemoryMode memory) => memory == MemoryMode.CloudSim ? "cloudsim" : "enforced";

    /// <summary>Parses <c>cloudsim</c> or <c>enforced</c>.</summary>
    public static bool TryParseMemory(string? text, out MemoryMode memory)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "cloudsim": memory = MemoryMode.CloudSim; return true;
            case "enforced": memory = MemoryMode.Enforced; return true;
            default: memory = MemoryMode.Enforced; return false;
        }
    }

    public static string ToJson(IReadOnlyList<SimulationResult> results, LowerBound bound, string policyOptions = "", string traceName = "")
    {
        var rows = results.Select(r => new Dictionary<string, object>
        {
            ["trace"] = traceName,
            ["policy"] = r.Policy,
            ["options"] = policyOptions,
            ["energyKWh"] = Math.Round(r.EnergyKWh, 4),
            ["slatah"] = r.Slatah,
            ["pdm"] = r.Pdm,
            ["slav"] = r.Slav,
            ["esv"] = r.Esv,
            ["migrations"] = r.Migrations,
            ["hostShutdowns"] = r.HostShutdowns,
            ["maxHostPowerOffs"] = r.MaxHostPowerOffs,
            ["wallSeconds"] = Math.Round(r.WallSeconds, 3),
            ["cpuSeconds"] = Math.Round(r.CpuSeconds, 3),
            ["lowerBoundKWh"] = Math.Round(bound.SimpleKWh, 4),
            ["lowerBoundTightKWh"] = Math.Round(bound.TightKWh, 4),
            ["lowerBoundAllVmsKWh"] = Math.Round(bound.AllVmsKWh, 4),
            ["referenceKWh"] = Math.Round(bound.ReferenceKWh, 4),
            ["finishedVms"] = r.FinishedVms,
            ["unplacedVms"] = r.UnplacedVms,
        });
        return JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true });
    }

    public static string ToTable(IReadOnlyList<SimulationResult> results, LowerBound bound, PlanetLabTrace trace, SimulateOptions options, string policyOptions = "")
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append(inv, $"trace {trace.Name}: {trace.VmCount * options.Scale} VMs, {StandardSetup.Hosts * options.Scale} hosts, memory {Name(options.Memory)}{(policyOptions.Length > 0 ? $", options {policyOptions}" : "")}\n");
        sb.Append(inv, $"{"policy",-14} {"energy kWh",11} {"SLATAH",8} {"PDM",8} {"SLAV",10} {"ESV",10} {"migrations",11} {"shutdowns",10} {"max off/host",12} {"unplaced",9} {"wall s",8} {"cpu s",7} {"finished",9}\n");
        foreach (var r in results)
        {
            sb.Append(inv, $"{r.Policy,-14} {r.EnergyKWh,11:0.00} {r.Slatah,8:0.00%} {r.Pdm,8:0.000%} {r.Slav,10:0.00e+0} {r.Esv,10:0.00e+0} {r.Migrations,11:#,0} {r.HostShutdowns,10:#,0} {r.MaxHostPowerOffs,12} {r.UnplacedVms,9} {r.WallSeconds,8:0.00} {r.CpuSeconds,7:0.00} {r.FinishedVms,9}\n");
        }
        sb.Append(inv, $"energy lower bound for the simulated day: {bound.SimpleKWh:0.00} kWh (running VMs' demand at the best watts per MIPS); tighter: {bound.TightKWh:0.00} kWh (whole hosts, convex power envelope{(options.Memory == MemoryMode.Enforced ? ", memory" : "")})\n");
        sb.Append(inv, $"reference packer (knows the future, free migrations, never short of CPU; not a bound): {bound.ReferenceKWh:0.00} kWh\n");
        sb.Append(inv, $"data README bound (all VMs all day, ignores VMs CloudSim ends): {bound.AllVmsKWh:0.00} kWh\n");
        return sb.ToString();
    }
}
