using System.Globalization;
using Octopus.Consolidation.Model;

namespace Octopus.Simulation.Output;

/// <summary>Parses the simulator's command line (<c>--trace DIR --policy P[,P...] [--memory cloudsim|enforced]
/// [--json] [--plot FILE] [--scale K]</c>) into <see cref="SimulateOptions"/>, for programs without System.CommandLine.</summary>
public static class SimulateArguments
{
    public const string Usage = "usage: --trace DIR --policy P[,P...] [--memory cloudsim|enforced] [--json] [--plot FILE.svg] [--scale K] [--option KEY=VALUE]... [--policy-file FILE] [--perturb scale:F|shift:Nh|noise:SD:SEED]... [--order sorted|shuffle:SEED] [--sweep GRID-FILE]";

    public static bool TryParse(IReadOnlyList<string> args, out SimulateOptions? options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = null;
        error = "";
        string? trace = null, plot = null;
        var policies = new List<string>();
        var memory = MemoryMode.Enforced;
        var json = false;
        var scale = 1;
        var assignments = new List<string>();
        string? policyFile = null;
        var perturbations = new List<string>();
        var order = "sorted";
        string? sweep = null;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next()
            {
                if (i + 1 >= args.Count) throw new FormatException($"{a} needs a value");
                return args[++i];
            }
            try
            {
                switch (a)
                {
                    case "--trace": trace = Next(); break;
                    case "--policy":
                        policies.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        break;
                    case "--memory":
                        var m = Next();
                        if (!SimulateCommand.TryParseMemory(m, out memory)) throw new FormatException($"--memory must be cloudsim or enforced; got '{m}'");
                        break;
                    case "--json": json = true; break;
                    case "--plot": plot = Next(); break;
                    case "--scale":
                        var s = Next();
                        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out scale))
                            throw new FormatException($"--scale must be a whole number from 1 to {SimulateOptions.MaxScale}; got '{s}'");
                        break;
                    case "--option": assignments.Add(Next()); break;
                    case "--policy-file": policyFile = Next(); break;
                    case "--perturb": perturbations.Add(Next()); break;
                    case "--order": order = Next(); break;
                    case "--sweep": sweep = Next(); break;
                    default: throw new FormatException($"unknown argument '{a}'");
                }
            }
            catch (FormatException e)
            {
                error = $"{e.Message}. {Usage}";
                return false;
            }
        }
        if (trace is null)
        {
            error = $"--trace is required. {Usage}";
            return false;
        }
        if (policies.Count == 0)
        {
            error = $"--policy is required. {Usage}";
            return false;
        }
        options = new SimulateOptions(trace, policies, memory, json, plot, scale) 
        {
            OptionAssignments = assignments, PolicyFile = policyFile, Perturbations = perturbations, Order = order, SweepFile = sweep,
        };
        return true;
    }
}
