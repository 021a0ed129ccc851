using Octopus.Domain.Hosts;
using Octopus.Scheduling.Placement;

namespace Octopus.Consolidation.Model;

/// <summary>Placement's model of the cluster a consolidation policy plans on: each engine host as placement sees it
/// (<see cref="HostView"/>: capacity, what is allocated on it, power state, maintenance), each engine VM as the
/// <see cref="PlacementRequest"/> it holds, and the placer whose filters decide (cores, memory, disk, maintenance, power
/// state). One feasibility model: the live server builds it from the snapshot placement and the plan committer read, and
/// a policy asks it (through <see cref="PlacementState"/>) before it puts a VM anywhere, so the committer, asking the same
/// filters of the same figures, never refuses a step the plan proposes. Immutable; each plan's working state keeps its
/// own running allocations.</summary>
/// <remarks>A host the engine sees as off is judged as if it were on: the engine powers it on before it uses it, and
/// the planner holds back moves onto a host until it is on (the committer would refuse them while it is off). Hosts of
/// one <see cref="HostType"/> are interchangeable to the engine while empty; give each host its own type when their
/// placement views differ (the live server does), or an empty host refused here may hide another that would do.</remarks>
public sealed class PlacementFeasibility
{
    private readonly IPlacer _placer;
    private readonly HostView[] _hosts;
    private readonly PlacementRequest[] _vms;

    /// <param name="placer">The placer whose filters judge (<see cref="IPlacer.Refuses"/>).</param>
    /// <param name="hosts">Engine host i as placement sees it now, with everything on it allocated (the engine's VMs included).</param>
    /// <param name="vms">Engine VM i's request.</param>
    public PlacementFeasibility(IPlacer placer, IReadOnlyList<HostView> hosts, IReadOnlyList<PlacementRequest> vms)
    {
        ArgumentNullException.ThrowIfNull(placer);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(vms);
        _placer = placer;
        _hosts = [.. hosts];
        _vms = [.. vms];
    }

    public int HostCount => _hosts.Length;
    public int VmCount => _vms.Length;

    /// <summary>Engine host <paramref name="host"/> as placement saw it when the snapshot was taken.</summary>
    public HostView View(int host) => _hosts[host];

    internal HostAllocation Allocated(int host) => _hosts[host].Allocated;

    /// <summary>What engine VM <paramref name="vm"/> asks of a host.</summary>
    public PlacementRequest Request(int vm) => _vms[vm];

    /// <summary>Null when placement's filters take VM <paramref name="vm"/> on engine host <paramref name="host"/>
    /// holding <paramref name="allocated"/>; otherwise the refusing filter's code.</summary>
    internal string? Refuses(int vm, int host, HostAllocation allocated) => _placer.Refuses(_vms[vm], Judged(host, allocated));

    /// <summary>The reasons in words (placement's own), for explanations and test messages.</summary>
    public string? WhyNot(int vm, int host, HostAllocation allocated) => _placer.WhyNotOn(_vms[vm], Judged(host, allocated));

    /// <summary>The host as the filters judge it: holding <paramref name="allocated"/>, and on if it is off (see remarks).</summary>
    private HostView Judged(int host, HostAllocation allocated)
    {
        var view = _hosts[host];
        return view with { Allocated = allocated, PowerState = view.PowerState == HostPowerState.Off ? HostPowerState.On : view.PowerState };
    }
}
