namespace Octopus.Scheduling.Placement;

/// <summary>The fast path's view of a <see cref="PlacementState"/>: the hosts that pass the static filters, ordered by
/// a scorer's rank key and then by name, so the best candidate for a request is the first one in key order that passes
/// the remaining filters. Kept in step with reservations by the state.</summary>
internal sealed class HostIndex
{
    private readonly SortedSet<Entry> entries;
    private readonly long[] keys;
    private readonly bool[] member;
    private readonly Func<HostView, long> rankKey;
    private readonly PlacementState state;

    public HostIndex(object owner, PlacementState state, Func<HostView, bool> admits, Func<HostView, long> rankKey)
    {
        Owner = owner;
        this.state = state;
        this.rankKey = rankKey;
        keys = new long[state.Count];
        member = new bool[state.Count];
        var initial = new List<Entry>(state.Count);
        for (var slot = 0; slot < state.Count; slot++)
        {
            var view = state.View(slot);
            if (!admits(view)) continue;
            member[slot] = true;
            keys[slot] = rankKey(view);
            initial.Add(new Entry(keys[slot], state.TieOrder(slot), slot));
        }
        entries = new SortedSet<Entry>(initial, EntryComparer.Instance);
    }

    /// <summary>Whoever asked for this index (a placer); one state may serve several placers.</summary>
    public object Owner { get; }

    /// <summary>Hosts admitted by the static filters.</summary>
    public int Count => entries.Count;

    /// <summary>Admitted hosts whose key lies in [lowest, highest], best (lowest key, then lowest name) first.</summary>
    public IEnumerable<Entry> Between(long lowest, long highest) =>
        lowest > highest ? [] : entries.GetViewBetween(new Entry(lowest, int.MinValue, -1), new Entry(highest, int.MaxValue, -1));

    public void Update(int slot, HostView updated)
    {
        if (!member[slot]) return;
        var key = rankKey(updated);
        if (key == keys[slot]) return;
        var order = state.TieOrder(slot);
        entries.Remove(new Entry(keys[slot], order, slot));
        keys[slot] = key;
        entries.Add(new Entry(key, order, slot));
    }

    internal readonly record struct Entry(long Key, int Order, int Slot);

    private sealed class EntryComparer : IComparer<Entry>
    {
        public static readonly EntryComparer Instance = new();

        // Order is unique per host, so (Key, Order) is a total order and Slot never needs comparing.
        public int Compare(Entry x, Entry y)
        {
            var c = x.Key.CompareTo(y.Key);
            return c != 0 ? c : x.Order.CompareTo(y.Order);
        }
    }
}
