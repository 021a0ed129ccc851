using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;

namespace Octopus.Consolidation.Policies;

/// <summary>Places VMs that have no host yet, one by one in index order (as CloudSim's broker submits them).</summary>
internal static class InitialPlacement
{
    public static bool Needed(ClusterSnapshot snapshot)
    {
        foreach (var vm in snapshot.Vms)
        {
            if (vm.Host < 0) return true;
        }
        return false;
    }

    public static void Run(PlacementState state, IVmPlacer placer, IOverloadDetector detector,
        List<VmPlacement> placements, List<UnplacedVm> unplaced)
    {
        var none = new HostSet(state.HostCount);
        var vms = state.Snapshot.Vms;
        for (var v = 0; v < vms.Length; v++)
        {
            if (vms[v].Host >= 0) continue;
            var choice = placer.Choose(state, v, none, detector);
            if (!choice.Found)
            {
                unplaced.Add(new UnplacedVm(v, $"no host has {state.Requested(v):0} MIPS on one core, {vms[v].RamMb:0} MB free and stays under the {detector.Name} overload limit"));
                continue;
            }
            state.Add(v, choice.Host);
            placements.Add(new VmPlacement(v, choice.Host, PlanReason.InitialPlacement, new ExpectedEffect(-choice.PowerIncrease, 0, 0)));
        }
    }
}
