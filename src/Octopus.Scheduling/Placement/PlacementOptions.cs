using Octopus.Domain;

namespace Octopus.Scheduling.Placement;

/// <summary>How a placer is configured. Plain data (<c>init</c> only); <see cref="Placer.Create"/> validates it.</summary>
public sealed record PlacementOptions
{
    /// <summary>Largest weight accepted; weights are relative, so a bigger range adds nothing but room for typos.</summary>
    public const double MaxWeight = 1000;

    /// <summary>Pack (best fit, the default) or Spread (balance).</summary>
    public PlacementStrategy Strategy { get; init; } = PlacementStrategy.Pack;

    /// <summary>Multiplier of the strategy's scorer (pack or spread). Range 0 to <see cref="MaxWeight"/>; default 1.</summary>
    public double StrategyWeight { get; init; } = 1;

    /// <summary>Multiplier of the low-load scorer, which prefers hosts with lower observed CPU load.
    /// Range 0 to <see cref="MaxWeight"/>; default 0 (off). A non-zero value makes the fast path evaluate every host,
    /// because a blend of two normalised scores cannot be read off one ordered index.</summary>
    public double LoadWeight { get; init; }

    /// <summary>Throws a validation error that names the offending option and its valid range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Strategy))
            throw DomainException.Invalid("strategy", $"placement strategy must be Pack or Spread; got {(int)Strategy}.");
        CheckWeight("strategyWeight", StrategyWeight);
        CheckWeight("loadWeight", LoadWeight);
        if (StrategyWeight == 0 && LoadWeight == 0)
            throw DomainException.Invalid("strategyWeight",
                "at least one placement weight must be above 0, otherwise hosts would be chosen by name alone; set strategyWeight to 1.");
    }

    private static void CheckWeight(string field, double weight)
    {
        if (!double.IsFinite(weight) || weight < 0 || weight > MaxWeight)
            throw DomainException.Invalid(field, $"{field} must be a number from 0 to {MaxWeight:0}; got {weight}.");
    }
}
