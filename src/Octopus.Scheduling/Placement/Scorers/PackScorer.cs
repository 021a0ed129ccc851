using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement.Scorers;

/// <summary>Prefers the host left with the least free memory after placement (best fit), so VMs consolidate onto few
/// hosts and the rest can empty out and power off. Raw score: free memory after placement in GiB, lower is better.</summary>
/// <remarks>Memory, not cores, is the dimension ranked: it is the resource that cannot be overcommitted and the one
/// that runs out first in practice (as in Nova's RAM weigher). Cores and disk are still enforced by the filters.
/// The absolute free amount (not a fraction of capacity) keeps the order of hosts independent of the request, which is
/// what lets the fast path keep hosts in an ordered index.</remarks>
internal sealed class PackScorer : IIndexablePlacementScorer
{
    public string Name => "Pack";

    public bool HigherIsBetter => false;

    // Division by a power of two is exact, so distinct byte counts give distinct raw scores.
    public double Score(PlacementRequest request, HostView host) =>
        (host.FreeMemory.Bytes - request.Memory.Bytes) / (double)ByteSize.GiB;

    public long RankKey(HostView host) => host.FreeMemory.Bytes;

    public (long Lowest, long Highest) CandidateKeys(PlacementRequest request) => (request.Memory.Bytes, long.MaxValue);
}
