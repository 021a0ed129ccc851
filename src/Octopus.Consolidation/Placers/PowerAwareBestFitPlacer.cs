using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Placers;

/// <summary>Picks the host whose power grows least by taking the VM (CloudSim PABFD's per-VM step; the caller
/// supplies the "decreasing" order). Ties go to the lowest host index.</summary>
/// <remarks>As in CloudSim 3.0.3 the increase is measured against the host's <em>observed</em> draw, while fit and the
/// overload check see the VMs already planned there; unloaded hosts skip the overload check. All unoccupied hosts of
/// one type are interchangeable, so only the first of each type is scored. Occupied hosts are searched through the
/// state's <see cref="BestFitIndex"/>, which reads only the groups of hosts that could beat the best found so far and
/// returns what <see cref="ChooseByScan"/>, the plain O(occupied hosts) scan, returns.</remarks>
public sealed class PowerAwareBestFitPlacer : IVmPlacer
{
    public string Name => "pabfd";

    public PlacementChoice Choose(PlacementState state, int vm, HostSet excluded, IOverloadDetector detector)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.BestFitIndexFor(detector).Choose(vm, excluded);
    }

    /// <summary>The same choice by reading every occupied host in index order (CloudSim's loop); kept as the reference
    /// the index is tested against.</summary>
    internal static PlacementChoice ChooseByScan(PlacementState state, int vm, HostSet excluded, IOverloadDetector detector)
    {
        var best = -1;
        var bestDiff = double.MaxValue;
        var req = state.Requested(vm);
        var occupied = state.OccupiedHosts;
        for (var k = 0; k < occupied.Count; k++)
        {
            var h = occupied[k];
            if (excluded.Contains(h) || !state.IsSuitable(vm, h)) continue;
            var allocated = state.AllocatedMips(h);
            var type = state.TypeOf(h);
            var diff = type.WattsAt((allocated + req) / type.TotalMips) - state.ObservedWatts(h);
            // Cheapest test first: a host that cannot beat the best so far needs no overload check.
            if (!(diff < bestDiff)) continue;
            if (allocated != 0 && detector.Evaluate(state, h, vm).Overloaded) continue;
            best = h;
            bestDiff = diff;
        }
        for (var t = 0; t < state.HostTypeCount; t++)
        {
            var h = state.FirstEmptyHostOfType(t);
            if (h < 0 || excluded.Contains(h) || !state.IsSuitable(vm, h)) continue;
            var type = state.TypeOf(h);
            var diff = type.WattsAt(req / type.TotalMips) - type.IdleWatts;
            if (diff < bestDiff || (diff == bestDiff && h < best))
            {
                best = h;
                bestDiff = diff;
            }
        }
        return new PlacementChoice(best, best >= 0 ? bestDiff : 0);
    }
}
