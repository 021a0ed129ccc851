using System.Globalization;

namespace Octopus.Scheduling.Placement;

/// <summary>The feasibility-then-ranking pipeline: filters reject hosts with reasons, scorers rank the survivors, the
/// pipeline normalises and weighs the scores and picks the best, breaking ties by host name.</summary>
/// <remarks>Two ways to the same answer. <see cref="Evaluate"/> looks at every host (explain mode, and whenever no
/// index applies). The fast path applies when the ranking comes from a single <see cref="IIndexablePlacementScorer"/>:
/// min-max normalisation of one score preserves its order, so the best host is the first in the scorer's key order
/// that passes the filters, and an ordered index finds it without scoring the rest.</remarks>
internal sealed class PlacementPipeline : IPlacer
{
    private static readonly IReadOnlyDictionary<string, int> NoRejections = new Dictionary<string, int>();

    private readonly string strategy;
    private readonly IPlacementFilter[] filters;
    private readonly IPlacementFilter[] staticFilters;
    private readonly IPlacementFilter[] dynamicFilters;
    private readonly WeightedScorer[] scorers;
    private readonly IIndexablePlacementScorer? indexScorer;
    private readonly Func<HostView, bool> admitsStatically;

    public PlacementPipeline(string strategy, IReadOnlyList<IPlacementFilter> filters, IReadOnlyList<WeightedScorer> scorers)
    {
        this.strategy = strategy;
        this.filters = [.. filters];
        staticFilters = [.. filters.Where(f => f.IsStatic)];
        dynamicFilters = [.. filters.Where(f => !f.IsStatic)];
        this.scorers = [.. scorers];
        indexScorer = scorers.Count == 1 ? scorers[0].Scorer as IIndexablePlacementScorer : null;
        admitsStatically = host =>
        {
            foreach (var f in staticFilters)
                if (f.Check(NoRequest, host) is not null) return false;
            return true;
        };
    }

    // Static filters never read the request; this stands in for one when building an index.
    private static readonly PlacementRequest NoRequest = new("(index)", 1, new(1), new(0));

    public PlacementDecision Place(PlacementRequest request, PlacementState state, bool explain)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        request.Validate();
        if (!explain && indexScorer is not null && PlaceByIndex(request, state, indexScorer) is { } fast)
            return fast;
        // Nothing fitted on the fast path either: evaluate every host so the summary can count every reason.
        return Evaluate(request, state, explain);
    }

    private PlacementDecision? PlaceByIndex(PlacementRequest request, PlacementState state, IIndexablePlacementScorer scorer)
    {
        var index = state.IndexFor(this, admitsStatically, scorer.RankKey);
        var (lowest, highest) = scorer.CandidateKeys(request);
        var examined = 0;
        Dictionary<string, int>? counts = null;
        foreach (var entry in index.Between(lowest, highest))
        {
            examined++;
            var host = state.View(entry.Slot);
            var code = FirstRejection(request, host);
            if (code is null)
            {
                // The winner of a single normalised score is 100 by construction (it is the maximum).
                var score = scorers[0].Weight * 100;
                var summary = $"placed on {host.Name} (score {Format(score)}; {examined} of {state.Count} hosts examined via index, {examined - 1} rejected)";
                return new PlacementDecision(host.Id, host.Name, strategy, summary, [], counts ?? NoRejections) { HostsExamined = examined };
            }
            counts ??= [];
            counts[code] = counts.GetValueOrDefault(code) + 1;
        }
        return null;
    }

    private string? FirstRejection(PlacementRequest request, HostView host)
    {
        foreach (var f in dynamicFilters)
            if (f.Check(request, host) is { } code) return code;
        return null;
    }

    /// <summary>Runs every filter on every host, scores the feasible ones and picks the best. With
    /// <paramref name="collect"/> it also records each host's evaluation.</summary>
    private PlacementDecision Evaluate(PlacementRequest request, PlacementState state, bool collect)
    {
        var n = state.Count;
        var counts = new Dictionary<string, int>();
        var owners = new Dictionary<string, IPlacementFilter>();
        var rejections = collect ? new List<Rejection>?[n] : null;
        var feasible = new List<int>(n);
        for (var slot = 0; slot < n; slot++)
        {
            var host = state.View(slot);
            var ok = true;
            foreach (var f in filters)
            {
                if (f.Check(request, host) is not { } code) continue;
                ok = false;
                counts[code] = counts.GetValueOrDefault(code) + 1;
                owners.TryAdd(code, f);
                if (rejections is not null) (rejections[slot] ??= []).Add(f.Explain(request, host, code));
            }
            if (ok) feasible.Add(slot);
        }

        var (totals, contributions) = Score(request, state, feasible, collect);
        var best = -1;
        for (var i = 0; i < feasible.Count; i++)
        {
            if (best < 0 || totals[i] > totals[best]
                || (totals[i] == totals[best] && state.TieOrder(feasible[i]) < state.TieOrder(feasible[best])))
                best = i;
        }

        var evaluations = collect ? Evaluations(state, feasible, totals, contributions!, rejections!) : [];
        if (best >= 0)
        {
            var chosen = state.View(feasible[best]);
            var summary = $"placed on {chosen.Name} (score {Format(totals[best])}; {n} hosts considered, {n - feasible.Count} rejected)";
            return new PlacementDecision(chosen.Id, chosen.Name, strategy, summary, evaluations, counts) { HostsExamined = n };
        }

        var neverFits = !state.CanEverHold(request);
        return new PlacementDecision(null, null, strategy, NoFitSummary(request, n, counts, owners, neverFits), evaluations, counts)
        {
            NeverFits = neverFits,
            HostsExamined = n,
        };
    }

    private (double[] Totals, ScoreContribution[][]? Contributions) Score(
        PlacementRequest request, PlacementState state, List<int> feasible, bool collect)
    {
        var m = feasible.Count;
        var totals = new double[m];
        var contributions = collect ? new ScoreContribution[m][] : null;
        if (contributions is not null)
            for (var i = 0; i < m; i++) contributions[i] = new ScoreContribution[scorers.Length];

        var raw = new double[m];
        for (var s = 0; s < scorers.Length; s++)
        {
            var (scorer, weight) = (scorers[s].Scorer, scorers[s].Weight);
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (var i = 0; i < m; i++)
            {
                var host = state.View(feasible[i]);
                var r = scorer.Score(request, host);
                if (!double.IsFinite(r))
                    throw new InvalidOperationException($"scorer {scorer.Name} gave {r} for host '{host.Name}'; scores must be finite numbers.");
                raw[i] = r;
                min = Math.Min(min, r);
                max = Math.Max(max, r);
            }
            for (var i = 0; i < m; i++)
            {
                var normalized = Normalize(raw[i], min, max, scorer.HigherIsBetter);
                totals[i] += weight * normalized;
                if (contributions is not null) contributions[i][s] = new ScoreContribution(scorer.Name, raw[i], normalized, weight);
            }
        }
        return (totals, contributions);
    }

    /// <summary>Maps a raw score to 0..100 across the feasible hosts, 100 being the best; when all hosts score the
    /// same, all get 100. Subtracting first keeps equal raws equal and distinct raws ordered.</summary>
    internal static double Normalize(double raw, double min, double max, bool higherIsBetter)
    {
        var range = max - min;
        if (range <= 0) return 100;
        return (higherIsBetter ? raw - min : max - raw) * 100 / range;
    }

    private static List<HostEvaluation> Evaluations(PlacementState state, List<int> feasible, double[] totals,
        ScoreContribution[][] contributions, List<Rejection>?[] rejections)
    {
        var ranked = Enumerable.Range(0, feasible.Count)
            .OrderByDescending(i => totals[i])
            .ThenBy(i => state.TieOrder(feasible[i]));
        var list = new List<HostEvaluation>(state.Count);
        foreach (var i in ranked)
        {
            var host = state.View(feasible[i]);
            list.Add(new HostEvaluation(host.Id, host.Name, [], totals[i], contributions[i]));
        }
        var rejected = Enumerable.Range(0, state.Count).Where(slot => rejections[slot] is not null).OrderBy(state.TieOrder);
        foreach (var slot in rejected)
        {
            var host = state.View(slot);
            list.Add(new HostEvaluation(host.Id, host.Name, rejections[slot]!, null, []));
        }
        return list;
    }

    private string NoFitSummary(PlacementRequest request, int hosts, Dictionary<string, int> counts,
        Dictionary<string, IPlacementFilter> owners, bool neverFits)
    {
        var head = $"no host fits {request.Describe()}";
        if (hosts == 0) return head + ": the cluster has no hosts";
        // Most common reason first; equal counts in pipeline order, so the sentence is stable.
        var reasons = counts
            .OrderByDescending(c => c.Value)
            .ThenBy(c => Array.IndexOf(filters, owners[c.Key]))
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => owners[c.Key].Summarize(c.Key, c.Value));
        var text = $"{head}: {string.Join(", ", reasons)}";
        return neverFits ? text + "; it is larger than every host's total capacity, so it can never be placed" : text;
    }

    private static string Format(double score) => score.ToString("0.#", CultureInfo.InvariantCulture);
}
