using Octopus.Scheduling.Placement.Filters;
using Octopus.Scheduling.Placement.Scorers;

namespace Octopus.Scheduling.Placement;

/// <summary>Builds placers. This is the one place where plugins are registered: a new filter or scorer is added to the
/// lists below, and nowhere else (no discovery, no reflection).</summary>
public static class Placer
{
    /// <summary>A placer for <paramref name="options"/>, which are validated first (a validation error names the
    /// offending option).</summary>
    public static IPlacer Create(PlacementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Filters run in this order and the fast path stops at the first that rejects, so the cheapest and most
        // decisive come first. Power and maintenance read one field each and, being static, also let the fast path
        // drop those hosts from its index altogether. Then the fit checks: cores is an int compare on data already in
        // hand; memory and disk are 64-bit amounts, and memory rarely rejects on the fast path because the index has
        // already skipped hosts with too little free memory.
        IPlacementFilter[] filters =
        [
            new HostOnFilter(),
            new MaintenanceFilter(),
            new CoresFitFilter(),
            new MemoryFitFilter(),
            new DiskFitFilter(),
        ];

        IPlacementScorer strategyScorer = options.Strategy switch
        {
            PlacementStrategy.Pack => new PackScorer(),
            PlacementStrategy.Spread => new SpreadScorer(),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Strategy, "unknown placement strategy"),
        };
        var scorers = new List<WeightedScorer>();
        if (options.StrategyWeight > 0) scorers.Add(new WeightedScorer(strategyScorer, options.StrategyWeight));
        if (options.LoadWeight > 0) scorers.Add(new WeightedScorer(new LowLoadScorer(), options.LoadWeight));

        var name = options.Strategy.ToString().ToLowerInvariant();
        if (options.LoadWeight > 0) name += "+load";
        return new PlacementPipeline(name, filters, scorers);
    }
}
