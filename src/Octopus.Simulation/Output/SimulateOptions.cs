using Octopus.Consolidation.Model;

namespace Octopus.Simulation.Output;

/// <summary>Arguments of <c>octopus simulate</c>.</summary>
/// <param name="TraceDirectory">A PlanetLab day folder (one file per VM).</param>
/// <param name="Policies">Policy names (see Octopus.Consolidation's PolicyCatalog).</param>
/// <param name="Memory">Memory model.</param>
/// <param name="Json">Print one JSON document instead of a table.</param>
/// <param name="PlotFile">Write an SVG of active hosts and power over the day, or null.</param>
/// <param name="Scale">Replicate hosts and VMs this many times (1–100).</param>
public sealed record SimulateOptions(string TraceDirectory, IReadOnlyList<string> Policies, MemoryMode Memory, bool Json, string? PlotFile, int Scale)
{
    public const int MaxScale = 100;

    /// <summary>Policy option assignments <c>KEY=VALUE</c> (<c>--option</c>, repeatable); applied after the file's.</summary>
    public IReadOnlyList<string> OptionAssignments { get; init; } = [];

    /// <summary>Trace perturbations (<c>--perturb</c>, repeatable, applied in order): scale:F, shift:Nh, noise:SD:SEED.</summary>
    public IReadOnlyList<string> Perturbations { get; init; } = [];

    /// <summary>VM file order (<c>--order</c>): sorted or shuffle:SEED.</summary>
    public string Order { get; init; } = "sorted";

    /// <summary>A JSON or YAML grid of option values (<c>--sweep</c>): run every combination and report the Pareto
    /// front; null for one run per policy.</summary>
    public string? SweepFile { get; init; }

    /// <summary>A JSON or YAML file of policy options (<c>--policy-file</c>), or null.</summary>
    public string? PolicyFile { get; init; }
}
