using System.Text.Json;
using Octopus.Scheduling.Placement;

namespace Octopus.Application.Control;

/// <summary>What the store keeps of a placement decision (a few hundred bytes): the chosen host and its score, the
/// sentence, the rejections counted per reason and the best few candidates. The per-host explanation is not kept; it is
/// worked out again when someone asks (<see cref="Queries.VmQueries.PlacementAsync"/>).</summary>
/// <remarks>Records written before this shape held a whole explanation; their chosen host, strategy and summary read
/// the same, the rest is absent and reads as empty.</remarks>
public sealed record PlacementSummary(string? ChosenHost, string Strategy, string Summary, double? Score,
    IReadOnlyDictionary<string, int> RejectionCounts, IReadOnlyList<PlacementSummary.Candidate> Candidates)
{
    /// <summary>One of the decision's best hosts; <paramref name="Score"/> is null where the decision did not score it.</summary>
    public sealed record Candidate(string Host, double? Score);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static PlacementSummary From(PlacementDecision d) => new(d.ChosenHostName, d.Strategy, d.Summary,
        d.Candidates.Count > 0 && d.ChosenHost == d.Candidates[0].Host ? d.Candidates[0].Score : null,
        d.RejectionCounts, [.. d.Candidates.Select(c => new Candidate(c.HostName, c.Score))]);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored record; a record that is not JSON of either shape reads as just its summary sentence.</summary>
    public static PlacementSummary Parse(string json, string summary)
    {
        try
        {
            if (JsonSerializer.Deserialize<Stored>(json, Json) is { } s)
                return new(s.ChosenHost, s.Strategy ?? "", s.Summary ?? summary, s.Score, s.RejectionCounts ?? [], s.Candidates ?? []);
        }
        catch (JsonException) { }
        return new(null, "", summary, null, new Dictionary<string, int>(), []);
    }

    // Tolerant reading shape: every field optional (old records lack most of them).
    private sealed record Stored(string? ChosenHost, string? Strategy, string? Summary, double? Score,
        Dictionary<string, int>? RejectionCounts, List<Candidate>? Candidates);
}
