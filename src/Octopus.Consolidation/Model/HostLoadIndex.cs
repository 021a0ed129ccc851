namespace Octopus.Consolidation.Model;

/// <summary>Hosts of each type bucketed by a load fraction (their key, 0 = empty, 1 = full), with per-bucket upper
/// bounds of two more numbers per host — free memory and a slack the caller defines (e.g. forecast headroom) — so a
/// placement search visits only the buckets that can hold its answer instead of every host.</summary>
/// <remarks>Each type has a segment tree over <see cref="Buckets"/> buckets of equal key width (keys above 1 fall in the
/// last bucket). A node keeps its host count (exact) and upper bounds of the free memory and slack of the hosts
/// below it: raised on every update, lowered only by <see cref="Refresh"/>, which searches call on each bucket they read,
/// so updates stay O(log buckets) and a bucket that has become too full is read at most once more. Searches use the bounds only to skip buckets and re-check every host they
/// visit with the exact rule, so an index search decides exactly as a scan of all hosts does.
/// Cost: <see cref="Set(int, double, double, double)"/> and <see cref="Remove"/> O(log buckets); a search O(log buckets) per bucket visited plus the
/// hosts in those buckets.</remarks>
public sealed class HostLoadIndex
{
    /// <summary>A bucket member with the numbers a search reads for it, stored together in the bucket (a search reads
    /// a bucket's members one after another instead of each host's numbers from arrays indexed by host).</summary>
    /// <param name="Host">The host.</param>
    /// <param name="FreeMemory">Its free memory, as last set.</param>
    /// <param name="Slack">Its slack, as last set.</param>
    /// <param name="Load">Its load in the caller's unit (the key is this over capacity), as last set.</param>
    /// <param name="Mean">A caller-defined number (octopus: mean of the host's summed load).</param>
    /// <param name="Deviation">A caller-defined number (octopus: its standard deviation).</param>
    public readonly record struct Entry(int Host, double FreeMemory, double Slack, double Load, double Mean, double Deviation);

    /// <summary>Buckets per host type: a key resolution of 1/1024 of a host.</summary>
    public const int Buckets = 1024;

    private readonly int[] _typeOf;
    private readonly int[] _bucketOf;
    private readonly int[] _position;
    private readonly List<int>[][] _members;
    // Parallel to _members (same positions): each member's numbers.
    private readonly Entry[][][] _entries;
    private readonly int[][] _count;
    private readonly double[][] _maxFree;
    private readonly double[][] _maxSlack;

    /// <param name="typeOf">Each host's type index.</param>
    /// <param name="typeCount">Number of host types.</param>
    public HostLoadIndex(IReadOnlyList<int> typeOf, int typeCount)
    {
        ArgumentNullException.ThrowIfNull(typeOf);
        _typeOf = [.. typeOf];
        _bucketOf = new int[_typeOf.Length];
        Array.Fill(_bucketOf, -1);
        _position = new int[_typeOf.Length];
        _members = new List<int>[typeCount][];
        _entries = new Entry[typeCount][][];
        _count = new int[typeCount][];
        _maxFree = new double[typeCount][];
        _maxSlack = new double[typeCount][];
        for (var t = 0; t < typeCount; t++)
        {
            _members[t] = new List<int>[Buckets];
            _entries[t] = new Entry[Buckets][];
            _count[t] = new int[2 * Buckets];
            _maxFree[t] = new double[2 * Buckets];
            _maxSlack[t] = new double[2 * Buckets];
            Array.Fill(_maxFree[t], double.NegativeInfinity);
            Array.Fill(_maxSlack[t], double.NegativeInfinity);
        }
    }

    public int TypeCount => _members.Length;

    /// <summary>Empties the index (as a new one over the same hosts), keeping its memory.</summary>
    public void Clear()
    {
        Array.Fill(_bucketOf, -1);
        for (var t = 0; t < _members.Length; t++)
        {
            foreach (var list in _members[t]) list?.Clear();
            Array.Clear(_count[t]);
            Array.Fill(_maxFree[t], double.NegativeInfinity);
            Array.Fill(_maxSlack[t], double.NegativeInfinity);
        }
    }

    /// <summary>Whether this index is over hosts of exactly these types.</summary>
    internal bool HasTypes(HostSnapshot[] hosts, int typeCount)
    {
        if (hosts.Length != _typeOf.Length || typeCount != _members.Length) return false;
        for (var i = 0; i < _typeOf.Length; i++)
        {
            if (hosts[i].Type != _typeOf[i]) return false;
        }
        return true;
    }

    /// <summary>The bucket a key falls in (keys are clamped to [0, 1]; 1 and above share the last bucket).</summary>
    public static int BucketOf(double key) => key <= 0 ? 0 : key >= 1 ? Buckets - 1 : Math.Min(Buckets - 1, (int)(key * Buckets));

    /// <summary>The smallest key bucket <paramref name="bucket"/> holds.</summary>
    public static double LowerKey(int bucket) => (double)bucket / Buckets;

    /// <summary>A bound no key in the bucket exceeds (infinite for the last bucket, which also holds keys above 1).</summary>
    public static double UpperKey(int bucket) => bucket == Buckets - 1 ? double.PositiveInfinity : (double)(bucket + 1) / Buckets;

    public bool Contains(int host) => _bucketOf[host] >= 0;

    /// <summary>Inserts the host, or moves it to its new key; records its free memory and slack in the bounds.</summary>
    public void Set(int host, double key, double freeMemory, double slack) => Set(host, key, freeMemory, slack, 0, 0, 0);

    /// <summary><see cref="Set(int, double, double, double)"/>, also storing the numbers <see cref="Entries"/> gives back.</summary>
    public void Set(int host, double key, double freeMemory, double slack, double load, double mean, double deviation)
    {
        var bucket = BucketOf(key);
        var t = _typeOf[host];
        if (_bucketOf[host] != bucket)
        {
            if (_bucketOf[host] >= 0) Remove(host);
            var list = _members[t][bucket] ??= [];
            _position[host] = list.Count;
            list.Add(host);
            var entries = _entries[t][bucket];
            if (entries is null || entries.Length < list.Count) Array.Resize(ref _entries[t][bucket], Math.Max(4, list.Capacity));
            _bucketOf[host] = bucket;
            for (var node = Buckets + bucket; node >= 1; node >>= 1) _count[t][node]++;
        }
        _entries[t][bucket][_position[host]] = new Entry(host, freeMemory, slack, load, mean, deviation);
        Raise(t, bucket, freeMemory, slack);
    }

    /// <summary>The bucket's members with the numbers last set for them, in the order of <see cref="Members"/>.</summary>
    public ReadOnlySpan<Entry> Entries(int type, int bucket) =>
        _members[type][bucket] is { } list ? new(_entries[type][bucket], 0, list.Count) : [];

    public void Remove(int host)
    {
        var bucket = _bucketOf[host];
        if (bucket < 0) return;
        var t = _typeOf[host];
        var list = _members[t][bucket];
        var at = _position[host];
        var last = list[^1];
        list[at] = last;
        var entries = _entries[t][bucket];
        entries[at] = entries[list.Count - 1];
        _position[last] = at;
        list.RemoveAt(list.Count - 1);
        _bucketOf[host] = -1;
        for (var node = Buckets + bucket; node >= 1; node >>= 1) _count[t][node]--;
    }

    private void Raise(int type, int bucket, double freeMemory, double slack)
    {
        var free = _maxFree[type];
        var w = _maxSlack[type];
        for (var node = Buckets + bucket; node >= 1; node >>= 1)
        {
            if (free[node] >= freeMemory && w[node] >= slack) break;
            if (freeMemory > free[node]) free[node] = freeMemory;
            if (slack > w[node]) w[node] = slack;
        }
    }

    /// <summary>Makes the bucket's bounds (and its ancestors') exact again. Searches call it on the buckets they visit,
    /// having paid for reading every member anyway, so a bucket whose hosts filled up is skipped from then on.</summary>
    public void Refresh(int type, int bucket)
    {
        var free = _maxFree[type];
        var w = _maxSlack[type];
        var leaf = Buckets + bucket;
        double maxFree = double.NegativeInfinity, maxSlack = double.NegativeInfinity;
        foreach (ref readonly var e in Entries(type, bucket))
        {
            if (e.FreeMemory > maxFree) maxFree = e.FreeMemory;
            if (e.Slack > maxSlack) maxSlack = e.Slack;
        }
        if (free[leaf] == maxFree && w[leaf] == maxSlack) return;
        free[leaf] = maxFree;
        w[leaf] = maxSlack;
        for (var node = leaf >> 1; node >= 1; node >>= 1)
        {
            free[node] = Math.Max(free[2 * node], free[(2 * node) + 1]);
            w[node] = Math.Max(w[2 * node], w[(2 * node) + 1]);
        }
    }

    /// <summary>The hosts in a bucket, in no particular order.</summary>
    public IReadOnlyList<int> Members(int type, int bucket) => (IReadOnlyList<int>?)_members[type][bucket] ?? [];

    /// <summary>The highest non-empty bucket at or below <paramref name="maxBucket"/> whose bounds reach
    /// <paramref name="minFree"/> memory and <paramref name="minSlack"/> slack, or -1.</summary>
    public int HighestBucket(int type, int maxBucket, double minFree, double minSlack = double.NegativeInfinity)
    {
        if (maxBucket < 0) return -1;
        // Walks leftwards from the leaf of maxBucket (a search asks for the next bucket below the one it just read, so
        // the answer is usually a few nodes away, not a descent from the root): climb while at a left child, step to
        // the left sibling, skip it if its bounds rule it out, else descend preferring the right child. A node's bounds
        // are at least its children's, so a leaf that qualifies has only qualifying ancestors and is never skipped;
        // a subtree that qualifies only by a mix of its children's bounds is left by the same climb.
        var count = _count[type];
        var free = _maxFree[type];
        var slack = _maxSlack[type];
        var node = Buckets + Math.Min(maxBucket, Buckets - 1);
        if (Qualifies(node)) return node - Buckets;
        while (true)
        {
            while ((node & 1) == 0) node >>= 1;
            if (node == 1) return -1;
            node--;
            if (!Qualifies(node)) continue;
            while (node < Buckets)
            {
                var right = (2 * node) + 1;
                if (Qualifies(right)) node = right;
                else if (Qualifies(right - 1)) node = right - 1;
                else break;
            }
            if (node >= Buckets) return node - Buckets;
        }

        bool Qualifies(int n) => count[n] > 0 && free[n] >= minFree && slack[n] >= minSlack;
    }

    /// <summary>Tree nodes for a best-first search: node 1 is the root, node n's children are 2n and 2n + 1, leaves
    /// are <see cref="Buckets"/> + bucket.</summary>
    public int NodeCount(int type, int node) => _count[type][node];

    /// <summary>Upper bound of the free memory of any host under the node.</summary>
    public double NodeMaxFree(int type, int node) => _maxFree[type][node];

    /// <summary>Upper bound of the slack of any host under the node.</summary>
    public double NodeMaxSlack(int type, int node) => _maxSlack[type][node];

    /// <summary>The first bucket under the node and how many buckets it spans.</summary>
    public static (int FirstBucket, int Width) NodeRange(int node)
    {
        var depth = 31 - int.LeadingZeroCount(node);
        var width = Buckets >> depth;
        return ((node - (1 << depth)) * width, width);
    }
}
