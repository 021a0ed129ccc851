using Octopus.Domain.Hosts;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Application.Control;

namespace Octopus.Application.Consolidation;

/// <summary>A plan's migrations judged in the plan's order by the placement filters, against the cluster as placement
/// sees it (<see cref="PlacementPass.SnapshotAsync"/>): each accepted move frees its VM's share on the source and takes
/// it on the destination, so a later step sees the earlier ones. The committer asks it when it applies a plan; the
/// consolidation engine asked the same filters of the same figures when it made the plan
/// (<see cref="Octopus.Consolidation.Model.PlacementFeasibility"/>), so a step it proposes is not refused here for
/// feasibility, only when the cluster changed in between. The planner walks the plan too, to know which hosts its moves
/// empty.</summary>
public sealed class PlanWalk
{
    private readonly IPlacer placer;
    private readonly PlacementState state;

    private PlanWalk(IPlacer placer, PlacementState state)
    {
        this.placer = placer;
        this.state = state;
    }

    public static async Task<PlanWalk> StartAsync(OctopusDbContext db, IPlacer placer, CancellationToken ct) =>
        From(placer, await PlacementPass.SnapshotAsync(db, ct));

    /// <summary>A walk over <paramref name="views"/> (<see cref="PlacementPass.SnapshotAsync"/>'s answer, read already).</summary>
    public static PlanWalk From(IPlacer placer, IEnumerable<HostView> views) => new(placer, PlacementState.From(views));

    /// <summary>Null when <paramref name="to"/> takes the VM now (the move is then counted); otherwise why not, with the
    /// filters' numbers in words.</summary>
    public string? TryMigrate(PlacementRequest request, HostId from, HostId to)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.Find(to) is not { } destination) return "the destination is gone";
        if (placer.WhyNotOn(request, destination) is { } why) return why;
        state.Reserve(to, request);
        if (state.Find(from) is { } source && source.Allocated.VmCount > 0
            && source.Allocated.Cores >= request.Cores && source.Allocated.Memory >= request.Memory && source.Allocated.Disk >= request.Disk)
            state.Unreserve(from, request);
        return null;
    }

    /// <summary>How many VMs <paramref name="host"/> still holds once the accepted moves are done.</summary>
    public int VmsLeftOn(HostId host) => state.Find(host)?.Allocated.VmCount ?? 0;
}
