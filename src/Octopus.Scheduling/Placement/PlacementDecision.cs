using Octopus.Domain.Hosts;

namespace Octopus.Scheduling.Placement;

/// <summary>The outcome of placing one VM: the chosen host (or none), a one-sentence summary an operator can read, and
/// in explain mode every host's rejections and scores.</summary>
/// <param name="ChosenHost">The host to run the VM on, or null when no host can take it now.</param>
/// <param name="ChosenHostName">Name of <paramref name="ChosenHost"/>, for messages.</param>
/// <param name="Strategy">The strategy that ranked the hosts, e.g. "pack".</param>
/// <param name="Summary">E.g. "placed on sim-03 (score 100; 8 hosts considered, 3 rejected)" or
/// "no host fits 4 vCPU, 8 GiB memory, 20 GiB disk: 5 lack memory, 3 are off".</param>
/// <param name="Hosts">In explain mode one entry per host, feasible ones best first, then rejected ones by name.
/// The fast path may leave this empty.</param>
/// <param name="RejectionCounts">Hosts rejected per rejection code. In explain mode (and whenever nothing fits) a host
/// counts once under every check it fails; a fast-path success counts only the candidates it examined, each once.</param>
public sealed record PlacementDecision(HostId? ChosenHost, string? ChosenHostName, string Strategy, string Summary,
    IReadOnlyList<HostEvaluation> Hosts, IReadOnlyDictionary<string, int> RejectionCounts)
{
    /// <summary>True when a host was chosen.</summary>
    public bool Placed => ChosenHost is not null;

    /// <summary>True when no host could ever take the request, whatever its power state, maintenance or load: the request
    /// exceeds every host's total capacity. The server rejects such requests instead of keeping them pending.</summary>
    public bool NeverFits { get; init; }

    /// <summary>Hosts the decision looked at: all of them in explain mode and whenever nothing fits, the index
    /// candidates looked at one by one when the fast path places the VM.</summary>
    public int HostsExamined { get; init; }

    /// <summary>The best few feasible hosts, best first (the chosen host first when one was chosen), at most
    /// <see cref="PlacementCandidate.Kept"/>: the part of the ranking worth keeping once the per-host explanation is
    /// dropped. Empty when nothing fits.</summary>
    public IReadOnlyList<PlacementCandidate> Candidates { get; init; } = [];
}

/// <summary>One of the best feasible hosts of a decision.</summary>
/// <param name="Host">The host.</param>
/// <param name="HostName">Its name, for messages.</param>
/// <param name="Score">Its total score when the decision scored it: always for a full evaluation; on the fast path only
/// the chosen host has one (the others were found in rank order, not scored against every host).</param>
public sealed record PlacementCandidate(HostId Host, string HostName, double? Score)
{
    /// <summary>How many candidates a decision keeps.</summary>
    public const int Kept = 3;
}

/// <summary>How one host fared: why it was rejected, or what it scored.</summary>
/// <param name="Host">The host evaluated.</param>
/// <param name="HostName">Its name, for messages.</param>
/// <param name="Rejections">Every filter that refused it, in pipeline order; empty when it is feasible.</param>
/// <param name="TotalScore">Sum of weighted normalised scores; null when the host was rejected.</param>
/// <param name="Scores">Each scorer's contribution to <paramref name="TotalScore"/>; empty when rejected.</param>
public sealed record HostEvaluation(HostId Host, string HostName, IReadOnlyList<Rejection> Rejections, double? TotalScore,
    IReadOnlyList<ScoreContribution> Scores)
{
    /// <summary>True when no filter rejected the host.</summary>
    public bool Feasible => Rejections.Count == 0;
}

/// <summary>Why a filter refused a host: the plugin, a stable code (counted in summaries), a reason with numbers in
/// words and, for a resource the host has too little of, the same numbers as data (<paramref name="Shortfall"/>).</summary>
public sealed record Rejection(string Plugin, string Code, string Reason, ResourceShortfall? Shortfall = null);

/// <summary>What a request needs of one resource against what the host has, as Kubernetes' InsufficientResource
/// reports it: the resource, its unit, the amount requested, the amount free (0 when overcommitted) and the host's
/// capacity.</summary>
public sealed record ResourceShortfall(string Resource, string Unit, long Requested, long Free, long Capacity);

/// <summary>One scorer's say on one host: its raw number, that number normalised to 0..100 across the feasible hosts
/// (100 = best), and the weight it was multiplied by.</summary>
public sealed record ScoreContribution(string Plugin, double Raw, double Normalized, double Weight)
{
    /// <summary>What this contribution adds to the host's total score.</summary>
    public double Weighted => Normalized * Weight;
}
