namespace Octopus.Scheduling.Placement;

/// <summary>The fast path's view of a <see cref="PlacementState"/>: the hosts that pass the static filters, ordered by
/// a scorer's rank key and then by name, so the best host for a request is the first one in that order that passes
/// the remaining filters. Kept in step with reservations by the state.</summary>
/// <remarks>
/// A sorted list cut into blocks of at most <see cref="DefaultMaxBlock"/> hosts. Each block records, for every
/// threshold filter (free cores, memory, disk), the largest amount any of its hosts has free. A walk skips a block
/// whose largest amount is below what the request needs, so hosts that are full in one dimension (say, out of cores
/// but with memory left, which the memory order alone would keep visiting) cost one comparison per block, not per
/// host. Blocks keep updates cheap: a reservation moves one host, touching at most two blocks.
/// </remarks>
internal sealed class HostIndex
{
    /// <summary>Default largest block: big enough that skipping is cheap per host, small enough that an insert's
    /// array shift and a block's rescan stay short.</summary>
    public const int DefaultMaxBlock = 128;

    private readonly int maxBlock;
    private readonly List<Block> blocks = [];
    private readonly PlacementState state;
    private readonly Func<HostView, long> rankKey;
    private readonly IThresholdPlacementFilter[] thresholds;
    private readonly int dims;
    private readonly long[] keys;
    private readonly bool[] member;
    private readonly long[] amounts; // amounts[slot * dims + d]: what the host has free for thresholds[d]

    // Static filters never read the request; this stands in for one.
    private static readonly PlacementRequest NoRequest = new("(index)", 1, new(1), new(0));

    public HostIndex(string shape, PlacementState state, IPlacementFilter[] staticFilters, Func<HostView, long> rankKey,
        IThresholdPlacementFilter[] thresholds, int maxBlock = DefaultMaxBlock)
    {
        if (maxBlock < 2) throw new ArgumentOutOfRangeException(nameof(maxBlock), maxBlock, "blocks must hold at least 2 hosts");
        Shape = shape;
        this.maxBlock = maxBlock;
        this.state = state;
        this.rankKey = rankKey;
        this.thresholds = thresholds;
        dims = thresholds.Length;
        keys = new long[state.Count];
        member = new bool[state.Count];
        amounts = new long[state.Count * dims];

        var initial = new List<Entry>(state.Count);
        var tally = new Dictionary<(IPlacementFilter, string), int>();
        for (var slot = 0; slot < state.Count; slot++)
        {
            var view = state.View(slot);
            Measure(slot, view);
            var admitted = true;
            foreach (var filter in staticFilters)
            {
                if (filter.Check(NoRequest, view) is not { } code) continue;
                admitted = false;
                tally[(filter, code)] = tally.GetValueOrDefault((filter, code)) + 1;
            }
            if (!admitted) continue;
            member[slot] = true;
            initial.Add(new Entry(keys[slot], state.TieOrder(slot), slot));
        }
        StaticRejections = [.. tally.Select(t => (t.Key.Item1, t.Key.Item2, t.Value))];
        initial.Sort(Compare);
        // Blocks start half full so that the first reservations rarely split them.
        for (var start = 0; start < initial.Count; start += maxBlock / 2)
        {
            var block = new Block(maxBlock, dims) { Count = Math.Min(maxBlock / 2, initial.Count - start) };
            initial.CopyTo(start, block.Items, 0, block.Count);
            Recompute(block);
            blocks.Add(block);
        }
        Count = initial.Count;
    }

    /// <summary>What the index orders by and filters on (scorer and filter types); placers that agree on it share it.</summary>
    public string Shape { get; }

    /// <summary>Hosts admitted by the static filters.</summary>
    public int Count { get; }

    /// <summary>Hosts each static filter rejected, per code. Fixed for the life of the state: reservations change
    /// allocations, never power or maintenance.</summary>
    public IReadOnlyList<(IPlacementFilter Filter, string Code, int Hosts)> StaticRejections { get; }

    /// <summary>For each threshold, how many hosts (admitted or not) have less free than <paramref name="needs"/>: the
    /// same counts a full evaluation gets from the threshold filters, read from arrays instead of views.</summary>
    public int[] CountShort(long[] needs)
    {
        var shortOn = new int[dims];
        for (var offset = 0; offset < amounts.Length; offset += dims)
            for (var d = 0; d < dims; d++)
                if (amounts[offset + d] < needs[d]) shortOn[d]++;
        return shortOn;
    }

    /// <summary>Walks admitted hosts with rank key in [<paramref name="lowest"/>, <paramref name="highest"/>], best
    /// first, and returns the first slot that has every needed amount and that <paramref name="accept"/> takes, or -1.
    /// <paramref name="scanned"/> counts hosts looked at one by one; <paramref name="shortOn"/>[d] counts those among
    /// them that lacked <c>thresholds[d]</c> (the first lacking one).</summary>
    public int FindFirst(long lowest, long highest, long[] needs, Func<int, bool> accept, int[] shortOn, out int scanned)
    {
        scanned = 0;
        if (lowest > highest) return -1;
        var start = new Entry(lowest, int.MinValue, -1);
        for (var b = FirstBlockReaching(start); b < blocks.Count; b++)
        {
            var block = blocks[b];
            if (block.Count == 0) continue;
            if (block.Items[0].Key > highest) return -1;
            if (Lacks(block.Max, 0, needs) >= 0) continue; // no host in this block has enough of something
            var i = block.Items[0].Key >= lowest ? 0 : LowerBound(block, start);
            for (; i < block.Count; i++)
            {
                var entry = block.Items[i];
                if (entry.Key > highest) return -1;
                scanned++;
                var lacking = Lacks(amounts, entry.Slot * dims, needs);
                if (lacking >= 0)
                {
                    shortOn[lacking]++;
                    continue;
                }
                if (accept(entry.Slot)) return entry.Slot;
            }
        }
        return -1;
    }

    /// <summary>Moves a host whose allocation changed to its new place in the order.</summary>
    public void Update(int slot, HostView updated)
    {
        if (!member[slot])
        {
            Measure(slot, updated); // not in the order, but its amounts still count in CountShort
            return;
        }
        Remove(new Entry(keys[slot], state.TieOrder(slot), slot));
        Measure(slot, updated);
        Insert(new Entry(keys[slot], state.TieOrder(slot), slot));
    }

    private void Measure(int slot, HostView view)
    {
        keys[slot] = rankKey(view);
        for (var d = 0; d < dims; d++) amounts[(slot * dims) + d] = thresholds[d].Available(view);
    }

    /// <summary>Index of the first threshold whose amount (from <paramref name="offset"/>) is below the need, or -1.</summary>
    private int Lacks(long[] have, int offset, long[] needs)
    {
        for (var d = 0; d < dims; d++)
            if (have[offset + d] < needs[d]) return d;
        return -1;
    }

    private void Insert(Entry entry)
    {
        if (blocks.Count == 0)
        {
            var first = new Block(maxBlock, dims);
            Array.Fill(first.Max, long.MinValue);
            blocks.Add(first);
        }
        var b = Math.Min(FirstBlockReaching(entry), blocks.Count - 1);
        var block = blocks[b];
        var at = LowerBound(block, entry);
        Array.Copy(block.Items, at, block.Items, at + 1, block.Count - at);
        block.Items[at] = entry;
        block.Count++;
        for (var d = 0; d < dims; d++) block.Max[d] = Math.Max(block.Max[d], amounts[(entry.Slot * dims) + d]);

        if (block.Count < maxBlock) return;
        var half = block.Count / 2;
        var next = new Block(maxBlock, dims) { Count = block.Count - half };
        Array.Copy(block.Items, half, next.Items, 0, next.Count);
        block.Count = half;
        Recompute(block);
        Recompute(next);
        blocks.Insert(b + 1, next);
    }

    private void Remove(Entry entry)
    {
        var b = FirstBlockReaching(entry);
        var block = b < blocks.Count ? blocks[b] : null;
        var at = block is null ? -1 : LowerBound(block, entry);
        if (block is null || at >= block.Count || block.Items[at] != entry)
            throw new InvalidOperationException($"placement index lost track of host slot {entry.Slot}; this is a bug.");
        Array.Copy(block.Items, at + 1, block.Items, at, block.Count - at - 1);
        block.Count--;
        if (block.Count == 0 && blocks.Count > 1) blocks.RemoveAt(b);
        else Recompute(block);
    }

    private void Recompute(Block block)
    {
        Array.Fill(block.Max, long.MinValue);
        for (var i = 0; i < block.Count; i++)
        {
            var offset = block.Items[i].Slot * dims;
            for (var d = 0; d < dims; d++) block.Max[d] = Math.Max(block.Max[d], amounts[offset + d]);
        }
    }

    /// <summary>The first block whose last entry is not before <paramref name="entry"/> (blocks.Count when none).</summary>
    private int FirstBlockReaching(Entry entry)
    {
        int lo = 0, hi = blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var block = blocks[mid];
            if (block.Count > 0 && Compare(block.Items[block.Count - 1], entry) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static int LowerBound(Block block, Entry entry)
    {
        int lo = 0, hi = block.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Compare(block.Items[mid], entry) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // Order is unique per host, so (Key, Order) is a total order and Slot never needs comparing.
    private static int Compare(Entry x, Entry y)
    {
        var c = x.Key.CompareTo(y.Key);
        return c != 0 ? c : x.Order.CompareTo(y.Order);
    }

    private readonly record struct Entry(long Key, int Order, int Slot);

    private sealed class Block(int capacity, int dims)
    {
        public readonly Entry[] Items = new Entry[capacity];
        public readonly long[] Max = new long[dims];
        public int Count;
    }
}
