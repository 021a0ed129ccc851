using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement.Scorers;

/// <summary>Prefers the host left with the most free memory after placement (worst fit), so load stays balanced and
/// each VM has the most room to grow into. Raw score: free memory after placement in GiB, higher is better.</summary>
/// <remarks>The mirror of <see cref="PackScorer"/>; see there why memory and why absolute amounts.</remarks>
internal sealed class SpreadScorer : IIndexablePlacementScorer
{
    public string Name => "Spread";

    public bool HigherIsBetter => true;

    public double Score(PlacementRequest request, HostView host) =>
        (host.FreeMemory.Bytes - request.Memory.Bytes) / (double)ByteSize.GiB;

    // Negated so that the index, which walks keys upwards, meets the most free memory first.
    public long RankKey(HostView host) => -host.FreeMemory.Bytes;

    public (long Lowest, long Highest) CandidateKeys(PlacementRequest request) => (long.MinValue, -request.Memory.Bytes);
}
