using System.Collections.ObjectModel;
using Octopus.Domain.Hosts;

namespace Octopus.Scheduling.Placement;

/// <summary>Mutable working copy of the cluster for one scheduling pass. Placement reads it; after each decision the
/// caller <see cref="Reserve"/>s the VM so that the next decision sees the host's reduced free capacity. Nothing here
/// reaches the store: committing the placements is the caller's job. Not thread-safe.</summary>
public sealed class PlacementState
{
    private readonly HostView[] views;
    private readonly int[] tieOrder;
    private readonly Dictionary<HostId, int> slots;
    private readonly HostCapacity[] shapes;
    private readonly List<HostIndex> indexes = [];
    private readonly int indexBlock;

    private PlacementState(HostView[] views, Dictionary<HostId, int> slots, int indexBlock)
    {
        this.indexBlock = indexBlock;
        this.views = views;
        this.slots = slots;
        Hosts = new ReadOnlyCollection<HostView>(views);

        // Ties between equally scored hosts go to the lower name (then id), so decisions never depend on input order.
        var byName = Enumerable.Range(0, views.Length).ToArray();
        Array.Sort(byName, (a, b) =>
        {
            var c = string.CompareOrdinal(views[a].Name, views[b].Name);
            return c != 0 ? c : views[a].Id.Value.CompareTo(views[b].Id.Value);
        });
        tieOrder = new int[views.Length];
        for (var rank = 0; rank < byName.Length; rank++) tieOrder[byName[rank]] = rank;

        // Clusters have few distinct host geometries, so "could any host ever hold this?" checks a handful, not all.
        shapes = [.. views.Select(v => v.Capacity with { MipsPerCore = default }).Distinct()];
    }

    /// <summary>Builds a state from the hosts' current views. Throws when a host appears twice.</summary>
    public static PlacementState From(IEnumerable<HostView> hosts) => From(hosts, HostIndex.DefaultMaxBlock);

    /// <summary>As <see cref="From(IEnumerable{HostView})"/>, with tiny index blocks so tests reach block splits.</summary>
    internal static PlacementState From(IEnumerable<HostView> hosts, int indexBlock)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var views = hosts.ToArray();
        var slots = new Dictionary<HostId, int>(views.Length);
        for (var i = 0; i < views.Length; i++)
        {
            if (views[i] is null) throw new ArgumentException($"host view {i} is null; pass only real hosts.", nameof(hosts));
            if (!slots.TryAdd(views[i].Id, i))
                throw new ArgumentException(
                    $"host {views[i].Id} ('{views[i].Name}') appears twice; each host may appear once in a placement state.", nameof(hosts));
        }
        return new PlacementState(views, slots, indexBlock);
    }

    /// <summary>Current views of all hosts, including reservations made so far, in the order they were given.</summary>
    public IReadOnlyList<HostView> Hosts { get; }

    internal int Count => views.Length;

    internal HostView View(int slot) => views[slot];

    /// <summary>Rank of the host in (name, id) order; the tie-break between equal scores.</summary>
    internal int TieOrder(int slot) => tieOrder[slot];

    /// <summary>The current view of one host, or null when it is not part of this state.</summary>
    public HostView? Find(HostId host) => slots.TryGetValue(host, out var slot) ? views[slot] : null;

    /// <summary>Counts <paramref name="request"/> against <paramref name="host"/>'s allocation, so later decisions see it.
    /// Does not check that it fits: that is the filters' job, and the caller may knowingly overcommit.</summary>
    public void Reserve(HostId host, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var slot = SlotOf(host);
        var a = views[slot].Allocated;
        Replace(slot, a.Add(request.Cores, request.Memory, request.Disk));
    }

    /// <summary>Exact inverse of <see cref="Reserve"/> with the same arguments. Throws when the host does not hold that
    /// much (which means it was not reserved), rather than letting the allocation go negative.</summary>
    public void Unreserve(HostId host, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var slot = SlotOf(host);
        var a = views[slot].Allocated;
        if (a.VmCount < 1 || a.Cores < request.Cores || a.Memory < request.Memory || a.Disk < request.Disk)
            throw new InvalidOperationException(
                $"cannot unreserve {request.Describe()} on host '{views[slot].Name}': it holds only {a.VmCount} VMs, {a.Cores} cores, " +
                $"{a.Memory} memory, {a.Disk} disk. Unreserve only what was reserved.");
        Replace(slot, new HostAllocation(a.Cores - request.Cores, a.Memory - request.Memory, a.Disk - request.Disk, a.VmCount - 1));
    }

    /// <summary>True when at least one host's total capacity (ignoring power, maintenance and allocations) could hold
    /// <paramref name="request"/>; false means it can never be placed on this cluster as it stands.</summary>
    public bool CanEverHold(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var c in shapes)
            if (c.Cores >= request.Cores && c.Memory >= request.Memory && c.Disk >= request.Disk) return true;
        return false;
    }

    /// <summary>The index of this <paramref name="shape"/> built before (by any placer), or a new one built now and
    /// kept up to date by every later reservation.</summary>
    internal HostIndex IndexFor(string shape, IPlacementFilter[] staticFilters, Func<HostView, long> rankKey,
        IThresholdPlacementFilter[] thresholds)
    {
        foreach (var index in indexes)
            if (index.Shape == shape) return index;
        var built = new HostIndex(shape, this, staticFilters, rankKey, thresholds, indexBlock);
        indexes.Add(built);
        return built;
    }

    private int SlotOf(HostId host) => slots.TryGetValue(host, out var slot)
        ? slot
        : throw new ArgumentException($"host {host} is not in this placement state; reserve only on hosts it was built from.", nameof(host));

    private void Replace(int slot, HostAllocation allocated)
    {
        var updated = views[slot] with { Allocated = allocated };
        views[slot] = updated;
        foreach (var index in indexes) index.Update(slot, updated);
    }
}
