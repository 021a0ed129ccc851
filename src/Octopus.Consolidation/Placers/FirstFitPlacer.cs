using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Placers;

/// <summary>Picks the lowest-index host the VM fits on (CloudSim's PowerVmAllocationPolicySimple, used by NPA and DVFS).
/// The detector is ignored: those policies never check for overload.</summary>
public sealed class FirstFitPlacer : IVmPlacer
{
    public string Name => "first-fit";

    public PlacementChoice Choose(PlacementState state, int vm, HostSet excluded, IOverloadDetector detector)
    {
        for (var h = 0; h < state.HostCount; h++)
        {
            if (excluded.Contains(h) || !state.IsSuitable(vm, h)) continue;
            var type = state.TypeOf(h);
            var diff = type.WattsAt((state.AllocatedMips(h) + state.Requested(vm)) / type.TotalMips) - state.ObservedWatts(h);
            return new PlacementChoice(h, diff);
        }
        return new PlacementChoice(-1, 0);
    }
}
