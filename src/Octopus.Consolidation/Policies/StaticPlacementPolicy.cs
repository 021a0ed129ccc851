using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Placers;

namespace Octopus.Consolidation.Policies;

/// <summary>Places new VMs first-fit and never migrates: CloudSim's NPA (no power management) and DVFS (power follows
/// load) baselines.</summary>
public sealed class StaticPlacementPolicy : IConsolidationPolicy
{
    private static readonly IOverloadDetector NeverOverloaded = new StaticThresholdDetector(1);
    private readonly FirstFitPlacer _placer = new();

    public StaticPlacementPolicy(string name, PowerManagement powerManagement)
    {
        Name = name;
        PowerManagement = powerManagement;
    }

    public string Name { get; }
    public PowerManagement PowerManagement { get; }

    public ConsolidationPlan Plan(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!InitialPlacement.Needed(snapshot)) return ConsolidationPlan.Empty;
        var state = new PlacementState(snapshot);
        var placements = new List<VmPlacement>();
        var unplaced = new List<UnplacedVm>();
        InitialPlacement.Run(state, _placer, NeverOverloaded, placements, unplaced);
        return new ConsolidationPlan(placements, [], [], unplaced);
    }
}
