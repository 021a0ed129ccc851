using Octopus.Domain.Hosts;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Application.Control;

namespace Octopus.Application.Consolidation;

/// <summary>A plan's migrations judged in the plan's order by the placement filters, against the cluster as placement
/// sees it (<see cref="PlacementPass.SnapshotAsync"/>): each accepted move frees its VM's share on the source and takes
/// it on the destination, so a later step sees the earlier ones. The planner drops what this refuses, and the
/// committer asks the same question again when it applies the plan, so a step the committer would refuse is never
/// proposed — one feasibility model for placement, evacuation and consolidation.</summary>
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
        new(placer, PlacementState.From(await PlacementPass.SnapshotAsync(db, ct)));

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
