namespace Octopus.Scheduling.Placement;

/// <summary>A ranking rule for feasible hosts. A scorer returns a raw number in its own unit; the pipeline normalises
/// the raw numbers to 0..100 across the feasible hosts (100 = best) and multiplies by the scorer's weight, so a scorer
/// never needs to know the other hosts or the other scorers.</summary>
public interface IPlacementScorer
{
    /// <summary>Plugin name shown in explanations, e.g. "Pack".</summary>
    string Name { get; }

    /// <summary>True when a larger raw number is better; false when a smaller one is.</summary>
    bool HigherIsBetter { get; }

    /// <summary>The raw score of placing <paramref name="request"/> on <paramref name="host"/>, which the filters have
    /// accepted. Must be finite.</summary>
    double Score(PlacementRequest request, HostView host);
}

/// <summary>A scorer whose ranking of hosts can be kept in an ordered index: the order it gives hosts is the same for
/// every request and changes only when a host's allocation does. This lets the fast path find the best host by walking
/// the index instead of scoring every host.</summary>
public interface IIndexablePlacementScorer : IPlacementScorer
{
    /// <summary>A key for <paramref name="host"/> such that, for every request, a lower key means a strictly better
    /// raw score and equal keys mean equal raw scores.</summary>
    long RankKey(HostView host);

    /// <summary>The range of keys outside which no host can pass the filters for <paramref name="request"/> (e.g. too
    /// little free memory), so the fast path need not visit them. Inclusive at both ends.</summary>
    (long Lowest, long Highest) CandidateKeys(PlacementRequest request);
}
