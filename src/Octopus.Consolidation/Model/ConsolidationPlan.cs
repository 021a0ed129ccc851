namespace Octopus.Consolidation.Model;

/// <summary>Why a step of a plan was proposed.</summary>
public enum PlanReason
{
    /// <summary>A VM had no host yet; this is its initial placement.</summary>
    InitialPlacement,

    /// <summary>The source host is (or is forecast to be) overloaded.</summary>
    HostOverloaded,

    /// <summary>The source host is underloaded; all its VMs move so it can be switched off.</summary>
    HostUnderloaded,

    /// <summary>A periodic re-packing found a cheaper assignment worth its migrations.</summary>
    Repack,

    /// <summary>A host has no VMs left and demand has stayed low long enough.</summary>
    HostEmpty,

    /// <summary>A host is needed to receive VMs (or as headroom for forecast demand).</summary>
    CapacityNeeded,
}

/// <summary>What a step is expected to achieve.</summary>
/// <param name="WattsSaved">Expected change in cluster power (positive = saving).</param>
/// <param name="HostsFreed">Hosts this step helps to empty.</param>
/// <param name="SlaRisk">A 0..1 estimate of SLA risk it removes (overload) or adds (migration); detector metric for overloads.</param>
public readonly record struct ExpectedEffect(double WattsSaved, int HostsFreed, double SlaRisk);

/// <summary>Place a VM that has no host yet.</summary>
public readonly record struct VmPlacement(int Vm, int Host, PlanReason Reason, ExpectedEffect Effect);

/// <summary>Live-migrate a VM.</summary>
public readonly record struct VmMigration(int Vm, int From, int To, PlanReason Reason, ExpectedEffect Effect);

/// <summary>Switch a host on or off.</summary>
public readonly record struct HostPowerAction(int Host, HostPower Target, PlanReason Reason, ExpectedEffect Effect);

/// <summary>A VM the policy could not place, with the reason.</summary>
public readonly record struct UnplacedVm(int Vm, string Reason);

/// <summary>A host the policy would have switched off (or emptied) but keeps on, with the reason: today, the daily
/// power-cycle cap (hysteresis against flapping). The live plan says so, so an operator sees why an idle host stays on.</summary>
public readonly record struct HeldHost(int Host, string Reason);

/// <summary>What a policy proposes for one interval: placements, migrations and power actions, each with a reason
/// and an expected effect. Applying it is someone else's job (the simulator, or the server's plan committer).</summary>
public sealed class ConsolidationPlan
{
    public static ConsolidationPlan Empty { get; } = new([], [], [], []);

    public ConsolidationPlan(IReadOnlyList<VmPlacement> placements, IReadOnlyList<VmMigration> migrations,
        IReadOnlyList<HostPowerAction> powerActions, IReadOnlyList<UnplacedVm> unplaced, IReadOnlyList<HeldHost>? held = null)
    {
        Held = held ?? [];
        Placements = placements;
        Migrations = migrations;
        PowerActions = powerActions;
        Unplaced = unplaced;
    }

    public IReadOnlyList<VmPlacement> Placements { get; }
    public IReadOnlyList<VmMigration> Migrations { get; }
    public IReadOnlyList<HostPowerAction> PowerActions { get; }
    public IReadOnlyList<UnplacedVm> Unplaced { get; }

    /// <summary>Hosts kept on although the policy would otherwise switch them off, each with its reason. Not a step:
    /// <see cref="IsEmpty"/> ignores them.</summary>
    public IReadOnlyList<HeldHost> Held { get; }

    public bool IsEmpty => Placements.Count == 0 && Migrations.Count == 0 && PowerActions.Count == 0 && Unplaced.Count == 0;
}
