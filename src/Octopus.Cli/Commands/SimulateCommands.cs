using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Consolidation.Model;
using Octopus.Simulation.Output;

namespace Octopus.Cli.Commands;

/// <summary><c>simulate</c>: replays a PlanetLab day on the standard CloudSim set-up with one or more consolidation
/// policies (Octopus.Simulation does the work; this only maps the command line). Needs no server and no login.</summary>
internal static class SimulateCommands
{
    public static Command Build(CliGlobals g)
    {
        var trace = new Option<string>("--trace")
        {
            Description = "A PlanetLab day folder: one file per VM, 288 CPU % lines (e.g. ../shared/data/planetlab/20110303)",
            HelpName = "DIR",
            Required = true,
        };
        var policy = new Option<string>("--policy")
        {
            Description = "Policies to compare, comma-separated: npa, dvfs, thr-mmt-0.8, iqr-mmt-1.5, mad-mmt-2.5, lr-mmt-1.2, octopus",
            HelpName = "P[,P...]",
            Required = true,
        };
        var memory = new Option<string>("--memory")
        {
            Description = "enforced (default: memory is a hard constraint) or cloudsim (running VMs need no RAM, as in CloudSim 3.0.3)",
            HelpName = "MODE",
            DefaultValueFactory = _ => "enforced",
        };
        memory.AcceptOnlyFromAmong("enforced", "cloudsim");
        var plot = new Option<string?>("--plot") { Description = "Write an SVG of active hosts and cluster power over the day", HelpName = "FILE.svg" };
        var scale = new Option<int>("--scale")
        {
            Description = $"Replicate hosts and VMs K times (1 to {SimulateOptions.MaxScale})",
            HelpName = "K",
            DefaultValueFactory = _ => 1,
        };
        var option = new Option<string[]>("--option")
        {
            Description = "Set a policy option, e.g. octopus.fill=0.95; repeat for more (every option, its range and default: src/Octopus.Simulation/README.md)",
            HelpName = "KEY=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var policyFile = new Option<string?>("--policy-file")
        {
            Description = "A JSON or YAML file of policy options ({\"octopus.fill\": 0.95} or octopus: {fill: 0.95}); --option values win",
            HelpName = "FILE",
        };
        var perturb = new Option<string[]>("--perturb")
        {
            Description = "Perturb the trace: scale:F (values × F, capped at 100), shift:Nh (rotate the day), noise:SD:SEED (Gaussian, seeded); repeatable",
            HelpName = "SPEC",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var order = new Option<string>("--order")
        {
            Description = "VM file order, which sets each VM's type: sorted (default) or shuffle:SEED (CloudSim used Java's unspecified order)",
            HelpName = "sorted|shuffle:SEED",
            DefaultValueFactory = _ => "sorted",
        };
        var sweep = new Option<string?>("--sweep")
        {
            Description = "Run a grid of policy option values (JSON or YAML: octopus: {fill: [0.9, 0.95], horizon: {from: 12, to: 48, step: 12}}) and print the Pareto front over energy, SLAV and migrations; --plot then writes the front as an SVG scatter plot",
            HelpName = "GRID-FILE",
        };
        var command = new Command("simulate", "Replay a PlanetLab trace day and compare consolidation policies (energy, SLA, migrations)")
        {
            trace, policy, memory, plot, scale, option, policyFile, perturb, order, sweep,
        };
        command.SetAction((parse, ct) =>
        {
            // AcceptOnlyFromAmong has already refused anything but the two names.
            var mode = SimulateCommand.TryParseMemory(parse.GetValue(memory), out var m) ? m : MemoryMode.Enforced;
            var policies = parse.GetValue(policy)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new SimulateOptions(parse.GetValue(trace)!, policies, mode, parse.GetValue(g.Json), parse.GetValue(plot), parse.GetValue(scale))
            {
                OptionAssignments = parse.GetValue(option) ?? [],
                PolicyFile = parse.GetValue(policyFile),
                Perturbations = parse.GetValue(perturb) ?? [],
                Order = parse.GetValue(order) ?? "sorted",
                SweepFile = parse.GetValue(sweep),
            };
            return SimulateCommand.RunAsync(options, g.Host.Out, g.Host.Error, ct);
        });
        return command;
    }
}
