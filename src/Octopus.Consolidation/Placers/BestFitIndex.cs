using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Placers;

/// <summary>The occupied hosts of one <see cref="PlacementState"/> grouped by type and allocation, so that power-aware
/// best fit reads only the groups that could beat the best host found so far. The choice is the full scan's: least
/// power increase, lowest host index on ties, never an excluded, unsuitable or would-be-overloaded host.</summary>
/// <remarks>
/// Why it is exact. A bin (type, 0.1 % of allocation; bins are bounded ten at a time first) keeps the lowest allocation
/// of the hosts it has held since the index was built (a stale value stays a valid bound) and its members in order of
/// observed draw, highest first, so no member's increase W((a + r) / T) − O is below W((lowest a + r) / T) − its own O
/// (W does not fall as load rises; a nanowatt of slack covers rounding). A bin is read only while the bound with its
/// first (highest-drawing) member does not exceed the best increase found, and then member by member until the first
/// whose bound does: every later one draws no more. What is read gets the full scan's own arithmetic and tie rule, so
/// the order bins and members are read in does not change the answer. Hosts of the current exclusion set are taken out
/// of the bins (they can never win). With the local-regression detector many cheap hosts are loaded hosts on the flat
/// top of the power curves, which the detector then rejects (at <c>--scale K</c> there are K times as many). A
/// long-history host's prediction is linear in its window, so each member keeps its own prediction and is passed over
/// when prediction + the VM's share (both computed as weighted sums, ~1e-13 from the detector's arithmetic) is at least
/// 10⁻⁸ above the overload line: the detector would reject it. A host the index is unsure of is decided by the
/// detector itself.
/// </remarks>
internal sealed class BestFitIndex
{
    /// <summary>Allocation bins per host type (bin b holds allocations in [b, b + 1) ‰ of the host's MIPS), read in
    /// groups of <see cref="BinsPerGroup"/> whose own bound is checked first.</summary>
    internal const int BinsPerType = 1000;
    internal const int BinsPerGroup = 10;
    private const int GroupsPerType = (BinsPerType / BinsPerGroup) + 1;
    // Watts: the bound's rounding is ~1e-13 W.
    private const double BoundSlack = 1e-9;
    // Utilisation: the weighted-sum prediction is ~1e-13 from the detector's fit.
    private const double PredictionSlack = 1e-8;
    private const int MemoCount = 32;

    private PlacementState _state;
    private LocalRegressionDetector? _lr;
    // Flat: bins and group bounds are structs in two arrays (a group's ten bins are adjacent), each bin's members one
    // array of structs, so a search reads a few contiguous blocks instead of ~600 bin objects and their member arrays.
    private readonly Bin[] _bins;
    private readonly Bounds[] _groups;
    private readonly double[] _bound;
    private readonly int[] _binOf;
    private double _intervalSeconds;

    // The exclusion set of the last choice, whose members are taken out of the groups (most reads were of excluded
    // hosts: the underload pass excludes every host it has tried to empty); put back when another set is passed.
    private HostSet? _excludedSet;
    private int _excludedGeneration;
    private int _excludedSeen;
    private readonly bool[] _out;
    private readonly List<int> _outHosts = [];

    // Per choice.
    private int _vm;
    private double _req;
    private HostSet _excluded = null!;
    private int _best;
    private double _bestDiff;
    private double _vmPredictionM = double.NaN;
    private double _vmPrediction;
    private double _vmMigrationIntervals;

    // Reuse of a search for the next VM of the same kind (see Memo): each host's change count, the hosts changed since
    // the index was filled (in order), the memos of recent searches, and the current search's collected candidates.
    private readonly int[] _version;
    private readonly List<int> _changes = [];
    private readonly Memo[] _memos = new Memo[MemoCount];
    private bool _memoEnabled;
    private long _clock;
    private bool _collect;
    private int _collected;
    private int[] _collectedHosts = new int[64];
    private double[] _collectedDiffs = new double[64];
    private long _reads;
    // Members read per full search, smoothed: a memo is replayed only while its pending changes are fewer.
    private double _readsPerSearch = 64;

    public BestFitIndex(PlacementState state, IOverloadDetector detector)
    {
        _state = state;
        Detector = detector;
        _bins = new Bin[state.HostTypeCount * (BinsPerType + 1)];
        for (var i = 0; i < _bins.Length; i++) _bins[i] = new Bin { MigrationIntervals = Bin.Unset, Members = [] };
        _groups = new Bounds[state.HostTypeCount * GroupsPerType];
        _bound = new double[_groups.Length];
        _binOf = new int[state.HostCount];
        Array.Fill(_binOf, -1);
        _out = new bool[state.HostCount];
        _version = new int[state.HostCount];
        Fill(state, detector);
    }

    /// <summary>Whether <see cref="Reuse"/> can take this index for a state like <paramref name="state"/>.</summary>
    public bool FitsShapeOf(PlacementState state) =>
        _binOf.Length == state.HostCount && _bins.Length == state.HostTypeCount * (BinsPerType + 1);

    /// <summary>This index emptied and filled for another state of the same shape (a policy plans every interval on
    /// the same hosts: the bins and per-host arrays are kept instead of allocated again).</summary>
    public BestFitIndex Reuse(PlacementState state, IOverloadDetector detector)
    {
        for (var i = 0; i < _bins.Length; i++) _bins[i].Clear();
        Array.Clear(_groups);
        Array.Fill(_binOf, -1);
        Array.Clear(_out);
        _outHosts.Clear();
        _excludedSet = null;
        _excludedSeen = 0;
        Fill(state, detector);
        return this;
    }

    private void Fill(PlacementState state, IOverloadDetector detector)
    {
        _state = state;
        Detector = detector;
        _lr = detector as LocalRegressionDetector;
        // A memo is keyed by what these detectors read of a VM (Memo.Matches); others always search.
        _memoEnabled = detector is StaticThresholdDetector || (_lr is not null && _lr.Fallback is StaticThresholdDetector);
        _changes.Clear();
        foreach (var memo in _memos)
        {
            if (memo is not null) memo.Vm = -1;
        }
        _intervalSeconds = state.Snapshot.Interval.TotalSeconds;
        if (_lr is not null) state.EnsureHistory();
        foreach (var h in state.OccupiedHosts) Insert(h);
    }

    /// <summary>Choices answered from a memo of an earlier search since the index was made (for tests).</summary>
    internal long ReusedChoices { get; private set; }

    /// <summary>The detector the index was built for (its sorted order is that detector's prediction).</summary>
    public IOverloadDetector Detector { get; private set; }


    /// <summary>Called by the state after a host's VMs changed (or it became occupied).</summary>
    public void HostChanged(int host)
    {
        _version[host]++;
        _changes.Add(host);
        if (_out[host]) return;
        if (_binOf[host] >= 0) Detach(host);
        Insert(host);
    }

    private void TrackExcluded(HostSet excluded)
    {
        if (!ReferenceEquals(excluded, _excludedSet) || excluded.Generation != _excludedGeneration || excluded.Count < _excludedSeen)
        {
            foreach (var h in _outHosts)
            {
                _out[h] = false;
                if (_state.IsOccupied(h)) Insert(h);
            }
            _outHosts.Clear();
            _excludedSet = excluded;
            _excludedGeneration = excluded.Generation;
            _excludedSeen = 0;
        }
        var items = excluded.Items;
        for (var i = _excludedSeen; i < items.Count; i++)
        {
            var h = items[i];
            if (_out[h]) continue;
            _out[h] = true;
            _outHosts.Add(h);
            if (_binOf[h] >= 0) Detach(h);
        }
        _excludedSeen = items.Count;
    }

    public PlacementChoice Choose(int vm, HostSet excluded)
    {
        var state = _state;
        _vm = vm;
        _req = state.Requested(vm);
        _excluded = excluded;
        TrackExcluded(excluded);
        _vmPredictionM = double.NaN;
        // As the detector forms it: the VM's own migration time in whole intervals (a host's is the larger of its own
        // and the VM's, both rounded up, since division and rounding up keep order).
        _vmMigrationIntervals = Math.Ceiling(state.Snapshot.Vms[vm].RamMb / state.Snapshot.MigrationMbPerSecond / _intervalSeconds);
        _clock++;
        var memo = _memoEnabled ? FindMemo(vm, excluded) : null;
        if (memo is not null && TryReuse(memo))
        {
            ReusedChoices++;
            return new PlacementChoice(_best, _bestDiff);
        }

        ChooseEmpty();
        _collect = _memoEnabled;
        _collected = 0;
        var readsBefore = _reads;
        Search();
        _collect = false;
        _readsPerSearch += ((_reads - readsBefore) - _readsPerSearch) / 16;
        if (_memoEnabled && _best >= 0) Remember(memo, vm, excluded);
        return new PlacementChoice(_best, _best >= 0 ? _bestDiff : 0);
    }

    // The first unoccupied host of each type (all unoccupied hosts of a type are interchangeable) as the best so far.
    private void ChooseEmpty()
    {
        var state = _state;
        var vm = _vm;
        var req = _req;
        _best = -1;
        _bestDiff = double.MaxValue;
        for (var t = 0; t < state.HostTypeCount; t++)
        {
            var h = state.FirstEmptyHostOfType(t);
            if (h < 0 || _excluded.Contains(h) || !state.IsSuitable(vm, h)) continue;
            var type = state.TypeOf(h);
            var diff = type.WattsAt(req / type.TotalMips) - type.IdleWatts;
            if (IsBetter(diff, h))
            {
                _best = h;
                _bestDiff = diff;
            }
        }
    }

    private void Search()
    {
        // Bounds of every group; the lowest is read first (it usually holds the answer), then every group whose bound
        // does not exceed the best increase found.
        var first = -1;
        var firstBound = double.PositiveInfinity;
        var types = _state.Snapshot.HostTypes;
        for (var i = 0; i < _groups.Length; i++)
        {
            ref readonly var group = ref _groups[i];
            var bound = Bound(group.Count, group.MinAllocated, group.MaxObservedWatts, (HostType)types[i / GroupsPerType]);
            _bound[i] = bound;
            if (bound < firstBound)
            {
                firstBound = bound;
                first = i;
            }
        }
        if (first >= 0 && firstBound <= _bestDiff) ReadGroup(first);
        for (var i = 0; i < _groups.Length; i++)
        {
            if (i != first && _bound[i] <= _bestDiff) ReadGroup(i);
        }
    }

    // A memo of an earlier search for a VM of the same kind under the same exclusion set, or null. Its entry is taken
    // over (or a free or least recently used one) by the search that follows when the memo cannot answer.
    private Memo? FindMemo(int vm, HostSet excluded)
    {
        Memo? match = null;
        for (var i = 0; i < _memos.Length; i++)
        {
            var m = _memos[i];
            if (m is null || m.Vm < 0) continue;
            if (!ReferenceEquals(m.Excluded, excluded) || m.Generation != excluded.Generation || excluded.Count < m.ExcludedCount)
            {
                m.Vm = -1;
                continue;
            }
            if (match is null && Matches(m.Vm, vm)) match = m;
        }
        return match;
    }

    // Whether two VMs are alike for every part of a choice: the request, memory and bandwidth asked, and what the LR
    // and THR detectors read of a VM (its MIPS, memory size and history).
    private bool Matches(int a, int b)
    {
        if (a == b) return true;
        var state = _state;
        if (state.Requested(a) != state.Requested(b) || state.RamRequest(a) != state.RamRequest(b) || state.BandwidthRequest(a) != state.BandwidthRequest(b)) return false;
        ref readonly var va = ref state.Snapshot.Vms[a];
        ref readonly var vb = ref state.Snapshot.Vms[b];
        if (va.Mips != vb.Mips || va.RamMb != vb.RamMb) return false;
        var history = state.Snapshot.History;
        return history.Of(a).SequenceEqual(history.Of(b));
    }

    // The choice from a memo, if it can be made exactly (see Memo); else false, and the caller searches.
    private bool TryReuse(Memo m)
    {
        if (_changes.Count - m.ChangesSeen > _readsPerSearch)
        {
            m.Vm = -1;
            return false;
        }
        var state = _state;
        var threshold = m.Threshold;
        // Hosts changed since: a new increase, kept if it could win.
        for (var i = m.ChangesSeen; i < _changes.Count; i++)
        {
            var h = _changes[i];
            if (_out[h]) continue;
            var type = state.TypeOf(h);
            var diff = Increase(state.AllocatedMips(h), _req, type.TotalMips, type.WattsAtTenths, state.ObservedWatts(h));
            if (diff <= threshold) m.AddChanged(h, diff, _version[h]);
        }
        m.ChangesSeen = _changes.Count;
        m.LastUse = _clock;

        ChooseEmpty();
        m.SortHosts();
        // The memo's own hosts, all at the threshold, in index order: the first that is unchanged, allowed and fits.
        for (var j = m.Head; j < m.Count; j++)
        {
            var h = m.Hosts[j];
            var dead = _version[h] != m.Versions[j] || _excluded.Contains(h) || m.Verdicts[j] == Memo.Rejected;
            if (!dead)
            {
                if (!IsBetter(threshold, h)) break;
                if (m.Verdicts[j] == Memo.Unknown) m.Verdicts[j] = Accepts(h, state.AllocatedMips(h)) ? Memo.Accepted : Memo.Rejected;
                if (m.Verdicts[j] == Memo.Accepted)
                {
                    _best = h;
                    _bestDiff = threshold;
                    break;
                }
            }
            if (j == m.Head) m.Head++;
        }
        for (var k = 0; k < m.ChangedCount; k++)
        {
            var h = m.ChangedHosts[k];
            if (_version[h] != m.ChangedVersions[k] || _excluded.Contains(h)) continue;
            var diff = m.ChangedDiffs[k];
            if (IsBetter(diff, h) && Accepts(h, state.AllocatedMips(h)))
            {
                _best = h;
                _bestDiff = diff;
            }
        }
        if (_best >= 0 && _bestDiff <= threshold) return true;
        m.Vm = -1;
        return false;
    }

    // Keeps this search's answer for the next VM of the same kind: the hosts whose increase equals the best's.
    private void Remember(Memo? m, int vm, HostSet excluded)
    {
        if (m is null)
        {
            for (var i = 0; i < _memos.Length && m is null; i++)
            {
                if (_memos[i] is null) m = _memos[i] = new Memo();
                else if (_memos[i].Vm < 0) m = _memos[i];
            }
            if (m is null)
            {
                m = _memos[0];
                foreach (var other in _memos)
                {
                    if (other.LastUse < m.LastUse) m = other;
                }
            }
        }
        m.Start(vm, excluded, _bestDiff, _changes.Count, _clock);
        // Every host whose increase is below the best was read and found excluded, unfit or overloaded, and stays so
        // while unchanged; every host at the best was read (its group's and bin's bounds are at most the best).
        var d = _bestDiff;
        for (var k = 0; k < _collected; k++)
        {
            if (_collectedDiffs[k] == d) m.AddHost(_collectedHosts[k], _version[_collectedHosts[k]]);
        }
        // Sorted into index order when first replayed (TryReuse): most memos are dropped before they are.
    }

    // The full scan's test of a host beyond its increase: allowed, fits, and not overloaded with the VM.
    private bool Accepts(int h, double allocated) =>
        !_excluded.Contains(h) && _state.IsSuitable(_vm, h) && (allocated == 0 || !Detector.Evaluate(_state, h, _vm).Overloaded);

    // No member of the bin can take the VM for less than this (+∞: none can take it at all).
    private double Bound(int count, double minAllocated, double maxObservedWatts, HostType type) =>
        count == 0 ? double.PositiveInfinity : Floor(minAllocated, type) - maxObservedWatts;

    // No host of the type with at least minAllocated MIPS allocated draws less than this with the VM (less the slack);
    // +∞ when none can take it at all: a VM no core of the type can serve, or less than the VM free.
    private double Floor(double minAllocated, HostType type)
    {
        var total = type.TotalMips;
        if (type.MipsPerCore < _req || minAllocated - (total - _req) > 1e-6 * total) return double.PositiveInfinity;
        return type.WattsAt((minAllocated + _req) / total) - BoundSlack;
    }

    private void ReadGroup(int g)
    {
        var t = g / GroupsPerType;
        var type = (HostType)_state.Snapshot.HostTypes[t];
        var firstBin = (t * (BinsPerType + 1)) + ((g % GroupsPerType) * BinsPerGroup);
        var lastBin = Math.Min(firstBin + BinsPerGroup, (t + 1) * (BinsPerType + 1));
        for (var b = firstBin; b < lastBin; b++)
        {
            ref readonly var bin = ref _bins[b];
            if (bin.Count == 0) continue;
            // The bound with the bin's highest draw now (its first member's).
            var floor = Floor(bin.MinAllocated, type);
            if (floor - bin.MaxObservedWatts <= _bestDiff) Read(b, floor);
        }
    }

    // The full scan's order: the least increase, then the lowest index (a NaN or MaxValue increase never wins).
    private bool IsBetter(double diff, int host) => diff < _bestDiff || (diff == _bestDiff && _best >= 0 && host < _best);

    // The bin's members in order of draw, highest first, up to the first that cannot beat the best (its floor less its
    // draw exceeds the best increase, and the rest draw no more); with the LR detector, a long-history member whose
    // prediction plus the VM's share reaches the overload line is passed over (the detector would reject it).
    private void Read(int b, double floor)
    {
        ref readonly var bin = ref _bins[b];
        var type = (HostType)_state.Snapshot.HostTypes[b / (BinsPerType + 1)];
        var stop = double.PositiveInfinity;
        if (_lr is not null && bin.MigrationIntervals >= 0 && _vmMigrationIntervals <= bin.MigrationIntervals)
        {
            // Every long-history member's key was formed with the bin's migration intervals, which adding the VM leaves unchanged.
            var vmShare = VmPrediction(bin.MigrationIntervals) * (_state.Snapshot.Vms[_vm].Mips / type.TotalMips);
            stop = ((1 + PredictionSlack) / _lr.SafetyParameter) - vmShare;
        }
        ReadMembers(bin.Members.AsSpan(bin.Start, bin.Count), type, floor, stop);
    }

    // The index of the first of the members (draws descending) whose draw is at or below the given one, or their count.
    private static int FirstAtOrBelow(ReadOnlySpan<Member> members, double observedWatts)
    {
        int lo = 0, hi = members.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (members[mid].ObservedWatts <= observedWatts) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    // The first count members through Consider, with its increase formed inline (WattsAt's very arithmetic: the same
    // operations on the same operands, so the same bits) and only the members whose increase could win passed on.
    private void ReadMembers(ReadOnlySpan<Member> members, HostType type, double floor, double stop)
    {
        var count = members.Length;
        var watts = type.WattsAtTenths;
        if (watts.Length != 11) throw new InvalidOperationException("a power table has 11 points");
        var total = type.TotalMips;
        var req = _req;
        var k = 0;
        for (; k < count; k++)
        {
            ref readonly var member = ref members[k];
            if (floor - member.ObservedWatts > _bestDiff) break;
            var diff = Increase(member.Allocated, req, total, watts, member.ObservedWatts);
            // IsBetter holds only if diff ≤ the best (a NaN fails both); a short-history member's key is −∞.
            if (diff <= _bestDiff && member.Key < stop)
            {
                if (_collect) Collect(member.Host, diff);
                Consider(member.Host, member.Allocated, diff);
            }
        }
        _reads += k;
    }

    /// <summary>type.WattsAt((allocated + req) / total) − observed, with WattsAt's very operations on the same operands
    /// (so the same bits), inline.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double Increase(double allocated, double req, double total, double[] watts, double observed)
    {
        var utilisation = (allocated + req) / total;
        double w;
        if (utilisation <= 0) w = watts[0];
        else if (utilisation >= 1) w = watts[10];
        else
        {
            var x = utilisation * 10;
            var i = (int)x;
            w = watts[i] + ((watts[i + 1] - watts[i]) * (x - i));
        }
        return w - observed;
    }

    private void Collect(int h, double diff)
    {
        if (_collected == _collectedHosts.Length)
        {
            Array.Resize(ref _collectedHosts, _collected * 2);
            Array.Resize(ref _collectedDiffs, _collected * 2);
        }
        _collectedHosts[_collected] = h;
        _collectedDiffs[_collected] = diff;
        _collected++;
    }

    // The full scan's test of one host, cheapest part first (all parts are pure, so their order cannot change the
    // answer): the increase, then fit and exclusion, then the detector.
    private void Consider(int h, double allocated, double diff)
    {
        if (!IsBetter(diff, h)) return;
        if (_excluded.Contains(h) || !_state.IsSuitable(_vm, h)) return;
        if (allocated != 0 && Detector.Evaluate(_state, h, _vm).Overloaded) return;
        _best = h;
        _bestDiff = diff;
    }


    // The VM's own window's prediction (weight 1), for the last migration-interval count asked.
    private double VmPrediction(int migrationIntervals)
    {
        if (_vmPredictionM == migrationIntervals) return _vmPrediction;
        var hist = _state.Snapshot.History.Of(_vm);
        _vmPrediction = LocalRegressionDetector.LinearPrediction(hist[..Math.Min(hist.Length, LocalRegressionDetector.Window)], migrationIntervals);
        _vmPredictionM = migrationIntervals;
        return _vmPrediction;
    }

    private void Insert(int h)
    {
        var state = _state;
        var allocated = state.AllocatedMips(h);
        var t = state.TypeIndexOf(h);
        var total = state.TotalMips(h);
        var b = Math.Clamp((int)(allocated / total * BinsPerType), 0, BinsPerType);
        var index = (t * (BinsPerType + 1)) + b;
        ref var bin = ref _bins[index];
        _binOf[h] = index;
        ref var group = ref _groups[(t * GroupsPerType) + (b / BinsPerGroup)];
        if (group.Count == 0 || allocated < group.MinAllocated) group.MinAllocated = allocated;
        if (group.Count == 0 || state.ObservedWatts(h) > group.MaxObservedWatts) group.MaxObservedWatts = state.ObservedWatts(h);
        group.Count++;
        if (bin.Count == 0) bin.MigrationIntervals = Bin.Unset;
        if (bin.Count == 0 || allocated < bin.MinAllocated) bin.MinAllocated = allocated;
        if (_lr is not null && allocated != 0 && state.HostHistoryLength(h, -1) >= LocalRegressionDetector.Window)
        {
            var m = (int)Math.Ceiling(state.MaxMigrationSeconds(h, -1) / _intervalSeconds);
            Span<double> window = stackalloc double[LocalRegressionDetector.Window];
            state.HostHistoryWindow(h, -1, window);
            var key = LocalRegressionDetector.LinearPrediction(window, m);
            if (bin.MigrationIntervals == Bin.Unset) bin.MigrationIntervals = m;
            else if (bin.MigrationIntervals != m) bin.MigrationIntervals = Bin.Mixed;
            bin.Insert(new Member(key, allocated, state.ObservedWatts(h), h));
            return;
        }
        bin.Insert(new Member(double.NegativeInfinity, allocated, state.ObservedWatts(h), h));
    }

    private void Detach(int h)
    {
        var index = _binOf[h];
        ref var bin = ref _bins[index];
        _binOf[h] = -1;
        var t = index / (BinsPerType + 1);
        _groups[(t * GroupsPerType) + ((index % (BinsPerType + 1)) / BinsPerGroup)].Count--;
        // A host's observed draw is the snapshot's, the same as when it was inserted.
        bin.Remove(_state.ObservedWatts(h), h);
    }

    /// <summary>A member of a bin: the host with the allocation and observed draw it had when inserted (a change
    /// re-inserts it) and, in a bin's sorted list, its LR prediction. One struct, so a member is one read.</summary>
    private readonly record struct Member(double Key, double Allocated, double ObservedWatts, int Host);

    /// <summary>A group's bounds: the lowest allocation and highest observed draw of the hosts it has held since the
    /// index was filled (stale values stay valid bounds), and how many it holds now.</summary>
    private struct Bounds
    {
        public int Count;
        public double MinAllocated;
        public double MaxObservedWatts;
    }

    private struct Bin
    {
        public const int Unset = -1;
        public const int Mixed = -2;
        public int Count;
        // Where the members start in Members: a member goes in, or comes out, by shifting the shorter side of the array
        // (a bin holds up to thousands of hosts at --scale 100; shifting the tail on every change was ~10 % of a run).
        public int Start;
        // The migration intervals every long-history member's key was formed with, or Unset / Mixed.
        public int MigrationIntervals;
        // The lowest allocation of the hosts the bin has held since the index was filled (a stale value stays a bound).
        public double MinAllocated;
        // The first member's draw: the highest.
        public double MaxObservedWatts;
        // By observed draw, highest first. Key: a long-history member's own LR prediction, else −∞ (the detector judges
        // it: short history, nothing allocated, or not the LR detector).
        public Member[] Members;

        public void Clear()
        {
            Count = 0;
            Start = Members.Length / 2;
            MigrationIntervals = Unset;
        }

        // After every member that draws at least as much.
        public void Insert(Member member)
        {
            if (Start == 0 && Count == Members.Length)
            {
                // Full at both ends: twice the room, the members in the middle.
                var grown = new Member[Math.Max(8, Count * 2)];
                var start = (grown.Length - Count) / 2;
                Array.Copy(Members, 0, grown, start, Count);
                Members = grown;
                Start = start;
            }
            // Relative to Start.
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Members[Start + mid].ObservedWatts < member.ObservedWatts) hi = mid;
                else lo = mid + 1;
            }
            var canLeft = Start > 0;
            var canRight = Start + Count < Members.Length;
            if (canLeft && (!canRight || lo <= Count - lo))
            {
                Array.Copy(Members, Start, Members, Start - 1, lo);
                Start--;
            }
            else Array.Copy(Members, Start + lo, Members, Start + lo + 1, Count - lo);
            Members[Start + lo] = member;
            Count++;
            MaxObservedWatts = Members[Start].ObservedWatts;
        }

        public void Remove(double observedWatts, int host)
        {
            // The first member drawing at most as much; equal draws follow it (relative to Start).
            var at = FirstAtOrBelow(Members.AsSpan(Start, Count), observedWatts);
            while (Members[Start + at].Host != host) at++;
            if (at < Count - 1 - at)
            {
                Array.Copy(Members, Start, Members, Start + 1, at);
                Start++;
            }
            else Array.Copy(Members, Start + at + 1, Members, Start + at, Count - 1 - at);
            Count--;
            if (Count > 0) MaxObservedWatts = Members[Start].ObservedWatts;
            else Start = Members.Length / 2;
        }
    }

    /// <summary>What a search for a VM found, kept so the next VM of the same kind (at <c>--scale K</c> its K copies are
    /// usually placed within a few choices of each other) is placed without a search, exactly.</summary>
    /// <remarks>With the search's best increase D under an exclusion set that since only grew: every unchanged host
    /// below D was found excluded, unfit or overloaded and still is (the VM is alike); the unchanged hosts at D are
    /// <see cref="Hosts"/>; every host changed since is re-measured and kept in <see cref="ChangedHosts"/> if at or below
    /// D. So if the best of these and the empty hosts is at or below D, no host outside them can beat it, and it is the
    /// full scan's choice; otherwise the caller searches. Changes are replayed only while fewer than a search reads.</remarks>
    private sealed class Memo
    {
        public const sbyte Unknown = 0;
        public const sbyte Accepted = 1;
        public const sbyte Rejected = -1;
        // The VM searched for (-1: the memo is free).
        public int Vm = -1;
        public HostSet? Excluded;
        public int Generation;
        public int ExcludedCount;
        public double Threshold;
        public int ChangesSeen;
        public long LastUse;
        public int Count;
        public int Head;
        public int[] Hosts = new int[16];
        public int[] Versions = new int[16];
        public sbyte[] Verdicts = new sbyte[16];
        public int ChangedCount;
        public int[] ChangedHosts = new int[16];
        public double[] ChangedDiffs = new double[16];
        public int[] ChangedVersions = new int[16];

        public void Start(int vm, HostSet excluded, double threshold, int changesSeen, long clock)
        {
            Vm = vm;
            Excluded = excluded;
            Generation = excluded.Generation;
            ExcludedCount = excluded.Count;
            Threshold = threshold;
            ChangesSeen = changesSeen;
            LastUse = clock;
            Count = 0;
            Head = 0;
            ChangedCount = 0;
            Sorted = false;
        }

        public void AddHost(int host, int version)
        {
            if (Count == Hosts.Length)
            {
                Array.Resize(ref Hosts, Count * 2);
                Array.Resize(ref Versions, Count * 2);
                Array.Resize(ref Verdicts, Count * 2);
            }
            Hosts[Count] = host;
            Versions[Count] = version;
            Verdicts[Count] = Unknown;
            Count++;
        }

        // Index order (the versions move with their hosts; verdicts are all unknown yet), once per memo: each host with
        // its version packed in one 64-bit key (host above, so the order is the hosts'), sorted as one array.
        public void SortHosts()
        {
            if (Sorted) return;
            Sorted = true;
            if (_packed.Length < Count) _packed = new long[Hosts.Length];
            var packed = _packed.AsSpan(0, Count);
            for (var i = 0; i < packed.Length; i++) packed[i] = ((long)Hosts[i] << 32) | (uint)Versions[i];
            packed.Sort();
            for (var i = 0; i < packed.Length; i++)
            {
                Hosts[i] = (int)(packed[i] >> 32);
                Versions[i] = (int)packed[i];
            }
        }

        public bool Sorted;
        private long[] _packed = new long[16];

        public void AddChanged(int host, double diff, int version)
        {
            if (ChangedCount == ChangedHosts.Length)
            {
                Array.Resize(ref ChangedHosts, ChangedCount * 2);
                Array.Resize(ref ChangedDiffs, ChangedCount * 2);
                Array.Resize(ref ChangedVersions, ChangedCount * 2);
            }
            ChangedHosts[ChangedCount] = host;
            ChangedDiffs[ChangedCount] = diff;
            ChangedVersions[ChangedCount] = version;
            ChangedCount++;
        }
    }
}
