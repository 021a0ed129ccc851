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
    private readonly IThresholdPlacementFilter[] thresholds;
    private readonly WeightedScorer[] scorers;
    private readonly IIndexablePlacementScorer? indexScorer;
    private readonly string indexShape;

    public PlacementPipeline(string strategy, IReadOnlyList<IPlacementFilter> filters, IReadOnlyList<WeightedScorer> scorers)
    {
        this.strategy = strategy;
        this.filters = [.. filters];
        staticFilters = [.. filters.Where(f => f.IsStatic)];
        dynamicFilters = [.. filters.Where(f => !f.IsStatic)];
        thresholds = [.. dynamicFilters.OfType<IThresholdPlacementFilter>()];
        this.scorers = [.. scorers];
        indexScorer = scorers.Count == 1 ? scorers[0].Scorer as IIndexablePlacementScorer : null;
        // Placers built alike (say, one per scheduling pass) share a state's index instead of each building their own.
        indexShape = string.Join("|", new object?[] { indexScorer }.Concat(this.filters).Select(p => p?.GetType().FullName));
    }

    public PlacementDecision Place(PlacementRequest request, PlacementState state, bool explain)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        request.Validate();
        if (!explain && indexScorer is not null && PlaceByIndex(request, state, indexScorer) is { } fast)
            return fast;
        return Evaluate(request, state, explain);
    }

    public string? Refuses(PlacementRequest request, HostView host)
    {
        foreach (var filter in filters)
        {
            if (filter.Check(request, host) is { } code) return code;
        }
        return null;
    }

    /// <summary>The decision found through the index, or null when only a full evaluation can give it (nothing fits
    /// and a request-dependent filter is not a threshold, so the index cannot count its rejections).</summary>
    private PlacementDecision? PlaceByIndex(PlacementRequest request, PlacementState state, IIndexablePlacementScorer scorer)
    {
        var index = state.IndexFor(indexShape, staticFilters, scorer.RankKey, thresholds);
        var (lowest, highest) = scorer.CandidateKeys(request);
        var needs = new long[thresholds.Length];
        for (var d = 0; d < needs.Length; d++) needs[d] = thresholds[d].Needed(request);
        var shortOn = new int[thresholds.Length];
        Dictionary<string, int>? counts = null;

        // The index has already checked the thresholds; the full dynamic chain still runs, so a filter that is not a
        // threshold is honoured too and the index can never admit a host the filters would refuse.
        var slot = index.FindFirst(lowest, highest, needs, candidate =>
        {
            if (FirstRejection(request, state.View(candidate)) is not { } code) return true;
            counts ??= [];
            counts[code] = counts.GetValueOrDefault(code) + 1;
            return false;
        }, shortOn, out var examined);
        if (slot < 0)
        {
            // Nothing fits. The summary must count every reason on every host; when all request-dependent filters
            // are thresholds the index has those counts in arrays, otherwise a full evaluation works them out.
            return dynamicFilters.Length == thresholds.Length ? NoFitFromIndex(request, state, index, needs) : null;
        }

        for (var d = 0; d < shortOn.Length; d++)
        {
            if (shortOn[d] == 0) continue;
            counts ??= [];
            var code = thresholds[d].RejectionCode;
            counts[code] = counts.GetValueOrDefault(code) + shortOn[d];
        }
        var host = state.View(slot);
        // The winner of a single normalised score is 100 by construction (it is the maximum).
        var score = scorers[0].Weight * 100;
        var summary = $"placed on {host.Name} (score {Format(score)}; {examined} of {state.Count} hosts examined via index, {examined - 1} rejected)";
        return new PlacementDecision(host.Id, host.Name, strategy, summary, [], counts ?? NoRejections)
        {
            HostsExamined = examined,
            Candidates = RunnersUp(request, state, index, lowest, highest, needs, slot, score),
        };
    }

    /// <summary>The chosen host and the next feasible hosts in rank order: the same walk again, taking the first few
    /// that pass every filter. It rescans what the decision scanned (a few hosts), so it costs about as much again.</summary>
    private List<PlacementCandidate> RunnersUp(PlacementRequest request, PlacementState state, HostIndex index, long lowest, long highest,
        long[] needs, int chosen, double score)
    {
        var chosenView = state.View(chosen);
        var list = new List<PlacementCandidate>(PlacementCandidate.Kept) { new(chosenView.Id, chosenView.Name, score) };
        index.FindFirst(lowest, highest, needs, candidate =>
        {
            if (candidate == chosen || FirstRejection(request, state.View(candidate)) is not null) return false;
            var view = state.View(candidate);
            list.Add(new PlacementCandidate(view.Id, view.Name, null));
            return list.Count >= PlacementCandidate.Kept;
        }, new int[thresholds.Length], out _);
        return list;
    }

    private PlacementDecision NoFitFromIndex(PlacementRequest request, PlacementState state, HostIndex index, long[] needs)
    {
        var counts = new Dictionary<string, int>();
        var owners = new Dictionary<string, IPlacementFilter>();
        foreach (var (filter, code, hosts) in index.StaticRejections)
        {
            counts[code] = counts.GetValueOrDefault(code) + hosts;
            owners.TryAdd(code, filter);
        }
        var shortOn = index.CountShort(needs);
        for (var d = 0; d < shortOn.Length; d++)
        {
            if (shortOn[d] == 0) continue;
            var code = thresholds[d].RejectionCode;
            counts[code] = counts.GetValueOrDefault(code) + shortOn[d];
            owners.TryAdd(code, thresholds[d]);
        }
        var neverFits = !state.CanEverHold(request);
        return new PlacementDecision(null, null, strategy, NoFitSummary(request, state.Count, counts, owners, neverFits), [], counts)
        {
            NeverFits = neverFits,
            HostsExamined = state.Count,
        };
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
        // Tallied per filter in small lists (a filter has a handful of codes): cheaper than hashing a code per rejection.
        var tally = new List<(string Code, int Hosts)>?[filters.Length];
        var rejections = collect ? new List<Rejection>?[n] : null;
        var feasible = new List<int>(n);
        for (var slot = 0; slot < n; slot++)
        {
            var host = state.View(slot);
            var ok = true;
            for (var f = 0; f < filters.Length; f++)
            {
                if (filters[f].Check(request, host) is not { } code) continue;
                ok = false;
                Count(tally[f] ??= [], code);
                if (rejections is not null) (rejections[slot] ??= []).Add(filters[f].Explain(request, host, code));
            }
            if (ok) feasible.Add(slot);
        }
        var counts = new Dictionary<string, int>();
        var owners = new Dictionary<string, IPlacementFilter>();
        for (var f = 0; f < filters.Length; f++)
        {
            foreach (var (code, hosts) in tally[f] ?? [])
            {
                counts[code] = counts.GetValueOrDefault(code) + hosts;
                owners.TryAdd(code, filters[f]);
            }
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
            return new PlacementDecision(chosen.Id, chosen.Name, strategy, summary, evaluations, counts)
            {
                HostsExamined = n,
                Candidates = TopCandidates(state, feasible, totals),
            };
        }

        var neverFits = !state.CanEverHold(request);
        return new PlacementDecision(null, null, strategy, NoFitSummary(request, n, counts, owners, neverFits), evaluations, counts)
        {
            NeverFits = neverFits,
            HostsExamined = n,
        };
    }

    /// <summary>The best <see cref="PlacementCandidate.Kept"/> feasible hosts by total score, ties by the state's order
    /// (so the first is the chosen host): a partial selection, not a sort of every feasible host.</summary>
    private static List<PlacementCandidate> TopCandidates(PlacementState state, List<int> feasible, double[] totals)
    {
        var top = new List<int>(PlacementCandidate.Kept + 1);
        for (var i = 0; i < feasible.Count; i++)
        {
            var at = top.Count;
            while (at > 0 && Better(i, top[at - 1])) at--;
            if (at >= PlacementCandidate.Kept) continue;
            top.Insert(at, i);
            if (top.Count > PlacementCandidate.Kept) top.RemoveAt(top.Count - 1);
        }
        return [.. top.Select(i => { var h = state.View(feasible[i]); return new PlacementCandidate(h.Id, h.Name, totals[i]); })];

        bool Better(int a, int b) => totals[a] > totals[b] || (totals[a] == totals[b] && state.TieOrder(feasible[a]) < state.TieOrder(feasible[b]));
    }

    private static void Count(List<(string Code, int Hosts)> tally, string code)
    {
        for (var i = 0; i < tally.Count; i++)
        {
            if (!string.Equals(tally[i].Code, code, StringComparison.Ordinal)) continue;
            tally[i] = (code, tally[i].Hosts + 1);
            return;
        }
        tally.Add((code, 1));
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
