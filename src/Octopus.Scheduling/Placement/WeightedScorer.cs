namespace Octopus.Scheduling.Placement;

/// <summary>A scorer paired with the multiplier its normalised score gets in the total.</summary>
internal sealed record WeightedScorer(IPlacementScorer Scorer, double Weight);
