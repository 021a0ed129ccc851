using Octopus.Domain.Hosts;
namespace Octopus.Consolidation.Model;

/// <summary>The mutable working copy of a snapshot a policy plans on: which VMs are on which host (in arrival order),
/// what they request, and per-host sums kept incrementally so detectors and placers stay O(1) per host.</summary>
/// <remarks>Built fresh from a <see cref="ClusterSnapshot"/> for each plan, so planning never touches the snapshot.
/// A VM may appear on two hosts while planning (CloudSim plans an underload move without removing the VM from its
/// source), so the host lists, not a VM→host map, are the truth here.</remarks>
public sealed class PlacementState
{
    // A host's list is made when it first gets a VM: most hosts of a large, consolidated cluster are empty.
    private readonly List<int>?[] _vmsOn;
    private readonly double[] _sumRequested;
    private readonly double[] _sumCapped;
    private readonly double[] _ramUsed;
    private readonly double[] _bwUsed;
    // Host history sums: only the CloudSim detectors read them, so they are built on first use (see EnsureHistory).
    private double[]? _historySum;
    private int[]? _historyLength;
    // Hosts whose history sums were written (so a recycled array is cleared where it was written, not everywhere).
    private bool[]? _historyWritten;
    private readonly double[] _maxRam;
    // Per VM; arrays may be longer than the snapshot's VM count when recycled (see _vmCount).
    private readonly double[] _requested;
    private readonly double[] _requestOnceHosted;
    private readonly double[] _ramRequest;
    private readonly double[] _bwRequest;
    private readonly int _vmCount;
    private readonly HostType[] _type;
    private readonly int[] _typeIndex;
    private readonly double[] _observedUtilisation;
    private readonly double[] _observedWatts;
    private readonly List<int> _occupied;
    private bool _occupiedStale;
    private readonly bool[] _isOccupied;
    private readonly int[][] _hostsOfType;
    private readonly int[] _emptyCursor;
    // Scratch of the constructor's counting sort, kept for recycling.
    private readonly int[] _start;
    private readonly int[] _fill;
    private int[] _order;
    // Each VM's arrival order at its position in _order, so the per-host sort reads its keys in sequence.
    private long[] _arrivalAt = [];

    public PlacementState(ClusterSnapshot snapshot)
        : this(snapshot, null)
    {
    }

    /// <summary>Builds the state of <paramref name="snapshot"/>, reusing the arrays of <paramref name="recycled"/> (a
    /// state of an earlier snapshot of the same hosts that nobody reads any more) instead of allocating them: policies
    /// that run every interval on tens of thousands of hosts would otherwise allocate (and page in) every array anew.
    /// The state built is the same as a fresh one; <paramref name="recycled"/> must not be used afterwards.</summary>
    internal PlacementState(ClusterSnapshot snapshot, PlacementState? recycled)
        : this(snapshot, recycled, tracksCpu: true)
    {
    }

    /// <summary>As <see cref="PlacementState(ClusterSnapshot, PlacementState?)"/>; with <paramref name="tracksCpu"/>
    /// false the state keeps only what a policy that plans by its own load figures reads — host lists, memory, types,
    /// occupancy, observed load — and not the CPU and bandwidth requests, their host sums, the largest VM memory or the
    /// host histories, whose readers then throw. <c>octopus</c> plans so: at --scale 100 the sums it never reads were
    /// formed for 105,200 VMs every interval.</summary>
    internal PlacementState(ClusterSnapshot snapshot, PlacementState? recycled, bool tracksCpu)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Snapshot = snapshot;
        _tracksCpu = tracksCpu;
        var h = snapshot.Hosts.Length;
        var v = snapshot.Vms.Length;
        if (recycled is not null && (recycled.HostCount != h || recycled._hostsOfType.Length != snapshot.HostTypes.Count)) recycled = null;
        _vmCount = v;
        _spareBestFit = recycled?._bestFit ?? recycled?._spareBestFit;
        if (recycled is null)
        {
            _vmsOn = new List<int>?[h];
            _sumRequested = new double[h];
            _sumCapped = new double[h];
            _ramUsed = new double[h];
            _bwUsed = new double[h];
            _maxRam = new double[h];
            _type = new HostType[h];
            _typeIndex = new int[h];
            _observedUtilisation = new double[h];
            _observedWatts = new double[h];
            _isOccupied = new bool[h];
            _occupied = [];
            _start = new int[h + 1];
            _fill = new int[h + 1];
            _order = [];
        }
        else
        {
            _vmsOn = recycled._vmsOn;
            foreach (var list in _vmsOn) list?.Clear();
            // Sums a state that does not track CPU never reads keep what they held (see CpuTracked).
            _sumRequested = tracksCpu ? Cleared(recycled._sumRequested) : recycled._sumRequested;
            _sumCapped = tracksCpu ? Cleared(recycled._sumCapped) : recycled._sumCapped;
            _ramUsed = Cleared(recycled._ramUsed);
            _bwUsed = tracksCpu ? Cleared(recycled._bwUsed) : recycled._bwUsed;
            _maxRam = tracksCpu ? Cleared(recycled._maxRam) : recycled._maxRam;
            _type = recycled._type;
            _typeIndex = recycled._typeIndex;
            _observedUtilisation = recycled._observedUtilisation;
            _observedWatts = recycled._observedWatts;
            _isOccupied = Cleared(recycled._isOccupied);
            _occupied = recycled._occupied;
            _occupied.Clear();
            _start = Cleared(recycled._start);
            _fill = recycled._fill;
            _order = recycled._order;
            _arrivalAt = recycled._arrivalAt;
            if (recycled._historySum is { } sums)
            {
                var written = recycled._historyWritten!;
                // Only the first _historyDepth samples of a row are ever written (LimitHistory).
                var depth = recycled._historyDepth;
                for (var i = 0; i < h; i++)
                {
                    if (!written[i]) continue;
                    Array.Clear(sums, i * UtilisationHistory.Capacity, depth);
                    written[i] = false;
                }
                _historySum = sums;
                _historyLength = Cleared(recycled._historyLength!);
                _historyWritten = written;
                // Built again on first use, as for a fresh state.
                _historyReady = false;
            }
        }
        var sameTypes = recycled is not null && ReferenceEquals(recycled._typesOf, snapshot.HostTypes);
        var types = new HostType[snapshot.HostTypes.Count];
        for (var t = 0; t < types.Length; t++) types[t] = (HostType)snapshot.HostTypes[t];
        for (var i = 0; i < h; i++)
        {
            var t = snapshot.Hosts[i].Type;
            if (_typeIndex[i] != t) sameTypes = false;
            _typeIndex[i] = t;
            _type[i] = types[t];
            _observedUtilisation[i] = Math.Min(1, snapshot.Hosts[i].ObservedMips / _type[i].TotalMips);
            if (tracksCpu) _observedWatts[i] = _type[i].WattsAt(_observedUtilisation[i]);
        }
        _typesOf = snapshot.HostTypes;
        if (sameTypes)
        {
            _hostsOfType = recycled!._hostsOfType;
            _emptyCursor = Cleared(recycled._emptyCursor);
        }
        else
        {
            var perType = new List<int>[snapshot.HostTypes.Count];
            for (var t = 0; t < perType.Length; t++) perType[t] = [];
            for (var i = 0; i < h; i++) perType[_typeIndex[i]].Add(i);
            _hostsOfType = new int[perType.Length][];
            for (var t = 0; t < perType.Length; t++) _hostsOfType[t] = [.. perType[t]];
            _emptyCursor = new int[perType.Length];
        }

        _requested = Sized(recycled?._requested, tracksCpu ? v : 0);
        _requestOnceHosted = Sized(recycled?._requestOnceHosted, tracksCpu ? v : 0);
        _ramRequest = Sized(recycled?._ramRequest, v);
        _bwRequest = Sized(recycled?._bwRequest, tracksCpu ? v : 0);
        var enforced = snapshot.Memory == MemoryMode.Enforced;
        if (!tracksCpu)
        {
            for (var i = 0; i < v; i++)
            {
                ref readonly var vm = ref snapshot.Vms[i];
                _ramRequest[i] = vm.Host < 0 || enforced ? vm.RamMb : 0;
            }
        }
        for (var i = 0; i < (tracksCpu ? v : 0); i++)
        {
            var vm = snapshot.Vms[i];
            var instantiating = vm.Host < 0;
            // A VM being created asks for its full size (CloudSim's Vm.isBeingInstantiated); afterwards its current use.
            _requested[i] = instantiating ? vm.Mips : vm.Utilisation * vm.Mips;
            // CloudSim quirk that shapes every initial placement: a just-created VM holds its full MIPS allocation but
            // requests nothing until its cloudlets start, so overload checks at creation time only see the new VM.
            _requestOnceHosted[i] = instantiating ? 0 : _requested[i];
            _ramRequest[i] = instantiating || enforced ? vm.RamMb : 0;
            _bwRequest[i] = instantiating || enforced ? vm.BandwidthMbps : 0;
        }

        // Host lists in arrival order: CloudSim's minimum-migration-time selection breaks ties by list position.
        // Grouped by host first (counting sort), then each host's few VMs sorted by arrival: O(VMs), not O(VMs log VMs).
        var start = _start;
        for (var i = 0; i < v; i++)
        {
            if (snapshot.Vms[i].Host >= 0) start[snapshot.Vms[i].Host + 1]++;
        }
        for (var i = 0; i < h; i++) start[i + 1] += start[i];
        if (_order.Length < start[h]) _order = new int[start[h]];
        if (_arrivalAt.Length < start[h]) _arrivalAt = new long[start[h]];
        var order = _order;
        var arrival = _arrivalAt;
        var fill = _fill;
        Array.Copy(start, fill, h + 1);
        for (var i = 0; i < v; i++)
        {
            ref readonly var vm = ref snapshot.Vms[i];
            if (vm.Host < 0) continue;
            var at = fill[vm.Host]++;
            order[at] = i;
            arrival[at] = vm.ArrivalOrder;
        }
        for (var host = 0; host < h; host++)
        {
            // Insertion sort by arrival, the keys moved with their VMs.
            for (var k = start[host] + 1; k < start[host + 1]; k++)
            {
                var vm = order[k];
                var key = arrival[k];
                var j = k - 1;
                while (j >= start[host] && arrival[j] > key)
                {
                    order[j + 1] = order[j];
                    arrival[j + 1] = arrival[j];
                    j--;
                }
                order[j + 1] = vm;
                arrival[j + 1] = key;
            }
            if (start[host + 1] > start[host]) AddAll(new ReadOnlySpan<int>(order, start[host], start[host + 1] - start[host]), host);
        }
        for (var i = 0; i < h; i++)
        {
            if (!_isOccupied[i] && _observedUtilisation[i] > 0) _isOccupied[i] = true;
        }
        _occupiedStale = true;

        // Placement's allocations start from its own snapshot (which holds the VMs placed above already) and follow
        // every Add and Remove from here on.
        if (snapshot.Feasibility is { } feasibility)
        {
            if (feasibility.HostCount != h || feasibility.VmCount != v)
                throw new ArgumentException($"the snapshot's placement feasibility describes {feasibility.HostCount} hosts and {feasibility.VmCount} VMs; " +
                    $"the snapshot has {h} and {v}. Build both from the same cluster.", nameof(snapshot));
            _feasibility = feasibility;
            _allocated = new HostAllocation[h];
            for (var i = 0; i < h; i++) _allocated[i] = feasibility.Allocated(i);
        }
    }

    private readonly PlacementFeasibility? _feasibility;
    private readonly HostAllocation[]? _allocated;

    /// <summary>Whether placement's filters (<see cref="ClusterSnapshot.Feasibility"/>) take the VM on the host as this
    /// plan has it now; true when the snapshot has no placement model.</summary>
    public bool PlacementAllows(int vm, int host) => _feasibility is null || _feasibility.Refuses(vm, host, _allocated![host]) is null;

    /// <summary>Whether placement's filters take every move of a drain in turn (each seeing the ones before it), as the
    /// committer will ask them: a solver that judged each move alone may have put two VMs where only one fits.</summary>
    internal bool PlacementAllowsAll(IReadOnlyList<(int Vm, int To)> moves)
    {
        if (_feasibility is null) return true;
        var taken = new Dictionary<int, HostAllocation>();
        foreach (var (vm, to) in moves)
        {
            var allocated = taken.TryGetValue(to, out var a) ? a : _allocated![to];
            if (_feasibility.Refuses(vm, to, allocated) is not null) return false;
            var request = _feasibility.Request(vm);
            taken[to] = allocated.Add(request.Cores, request.Memory, request.Disk);
        }
        return true;
    }

    /// <summary>Placement's figures for the host as this plan has it now (null without a placement model).</summary>
    public HostAllocation? PlacementAllocated(int host) => _allocated?[host];

    private void Reserve(int vm, int host, bool add)
    {
        var r = _feasibility!.Request(vm);
        _allocated![host] = add ? _allocated[host].Add(r.Cores, r.Memory, r.Disk) : _allocated[host].Remove(r.Cores, r.Memory, r.Disk);
    }

    private IReadOnlyList<HostType>? _typesOf;
    private readonly bool _tracksCpu;

    /// <summary>Throws unless this state tracks CPU (see the constructor's tracksCpu).</summary>
    private void CpuTracked()
    {
        if (!_tracksCpu) throw new InvalidOperationException("this placement state does not track CPU requests (built with tracksCpu false).");
    }
    private bool _historyReady;
    // Samples of each host history kept (the most recent first); see LimitHistory.
    private int _historyDepth = UtilisationHistory.Capacity;

    /// <summary>Keeps only the most recent <paramref name="depth"/> samples of each host history (its length is still
    /// the full one): a detector that reads a short window (LR reads 10 of CloudSim's 30) then costs a third of the
    /// additions per plan. Each kept sample is formed by the same additions as before, so it is the same to the bit;
    /// reading more than is kept throws. Called before the history is first built.</summary>
    internal void LimitHistory(int depth)
    {
        if (depth < 1 || depth > UtilisationHistory.Capacity) throw new ArgumentOutOfRangeException(nameof(depth), depth, $"a history depth is 1 to {UtilisationHistory.Capacity} samples");
        if (_historyReady && depth < _historyDepth) throw new InvalidOperationException("the host histories are already built; limit them before their first use.");
        _historyDepth = depth;
    }
    // Power-aware best fit's index of this state's hosts, kept by Add and Remove once built.
    private Placers.BestFitIndex? _bestFit;
    // The recycled state's index, emptied and refilled when this state first needs one.
    private Placers.BestFitIndex? _spareBestFit;

    /// <summary>The best-fit index of this state for a detector, built on first use and then kept up to date.</summary>
    internal Placers.BestFitIndex BestFitIndexFor(Detectors.IOverloadDetector detector)
    {
        CpuTracked();
        if (_bestFit is not null && ReferenceEquals(_bestFit.Detector, detector)) return _bestFit;
        var spare = _bestFit ?? _spareBestFit;
        _spareBestFit = null;
        _bestFit = spare is not null && spare.FitsShapeOf(this) ? spare.Reuse(this, detector) : new Placers.BestFitIndex(this, detector);
        return _bestFit;
    }

    private static T[] Cleared<T>(T[] array)
    {
        Array.Clear(array);
        return array;
    }

    /// <summary>An array of at least <paramref name="length"/> elements: the recycled one if long enough (its contents
    /// are overwritten by the caller), else a new one.</summary>
    private static double[] Sized(double[]? recycled, int length) =>
        recycled is not null && recycled.Length >= length ? recycled : new double[length];

    public ClusterSnapshot Snapshot { get; }
    public int HostCount => _vmsOn.Length;
    public int VmCount => _vmCount;

    public HostType TypeOf(int host) => _type[host];
    public double TotalMips(int host) => _type[host].TotalMips;

    /// <summary>The host's load fraction when the snapshot was taken (CloudSim's host.getUtilizationOfCpu()).</summary>
    public double ObservedUtilisation(int host) => _observedUtilisation[host];

    /// <summary>Watts the host drew when the snapshot was taken (as CloudSim's host.getPower(): idle watts when unloaded).</summary>
    public double ObservedWatts(int host) => _tracksCpu ? _observedWatts[host] : _type[host].WattsAt(_observedUtilisation[host]);

    /// <summary>The VMs planned on the host, in arrival order.</summary>
    public IReadOnlyList<int> VmsOn(int host) => (IReadOnlyList<int>?)_vmsOn[host] ?? [];

    /// <summary>Whether any VM is planned on the host (<see cref="VmsOn"/> is not empty).</summary>
    public bool HasVms(int host) => _vmsOn[host] is { Count: > 0 };

    /// <summary>MIPS the VM asks for now (full size while being created).</summary>
    public double Requested(int vm)
    {
        CpuTracked();
        return _requested[vm];
    }

    public double RamMb(int vm) => Snapshot.Vms[vm].RamMb;

    /// <summary>Memory the VM asks of a host it moves to (0 under <see cref="MemoryMode.CloudSim"/> once hosted).</summary>
    internal double RamRequest(int vm) => _ramRequest[vm];

    /// <summary>Bandwidth the VM asks of a host it moves to (as <see cref="RamRequest"/>).</summary>
    internal double BandwidthRequest(int vm)
    {
        CpuTracked();
        return _bwRequest[vm];
    }

    /// <summary>Sum of the uncapped requests of the host's planned VMs.</summary>
    public double SumRequested(int host)
    {
        CpuTracked();
        return _sumRequested[host];
    }

    /// <summary>MIPS the host would hand out: requests capped at one core each, and at the host's total.</summary>
    public double AllocatedMips(int host)
    {
        CpuTracked();
        return Math.Min(_sumCapped[host], _type[host].TotalMips);
    }

    /// <summary>MIPS still free (0 when oversubscribed, as CloudSim's over-subscription scheduler reports).</summary>
    public double AvailableMips(int host)
    {
        CpuTracked();
        var total = _type[host].TotalMips;
        return _sumCapped[host] <= total ? total - _sumCapped[host] : 0;
    }

    public double RamUsed(int host) => _ramUsed[host];

    /// <summary>Whether the VM fits: one core can serve it, enough MIPS, memory and bandwidth are free
    /// (CloudSim's Host.isSuitableForVm; memory counts per <see cref="MemoryMode"/>), and placement's filters take it
    /// (<see cref="PlacementAllows"/>).</summary>
    public bool IsSuitable(int vm, int host)
    {
        CpuTracked();
        var type = _type[host];
        var req = _requested[vm];
        return type.MipsPerCore >= req
            && AvailableMips(host) >= req
            && type.RamMb - _ramUsed[host] >= _ramRequest[vm]
            && type.BandwidthMbps - _bwUsed[host] >= _bwRequest[vm]
            && PlacementAllows(vm, host);
    }

    /// <summary>True when the host has planned VMs or was loaded when observed.</summary>
    public bool IsOccupied(int host) => _isOccupied[host];

    /// <summary>Occupied hosts in index order.</summary>
    public IReadOnlyList<int> OccupiedHosts
    {
        get
        {
            // Rebuilt lazily: inserting each newly occupied host in order would cost O(hosts) per placement.
            if (_occupiedStale)
            {
                _occupied.Clear();
                for (var i = 0; i < _isOccupied.Length; i++)
                {
                    if (_isOccupied[i]) _occupied.Add(i);
                }
                _occupiedStale = false;
            }
            return _occupied;
        }
    }

    public int HostTypeCount => _hostsOfType.Length;

    /// <summary>The lowest-index unoccupied host of a type, or -1. All such hosts are interchangeable for placement.</summary>
    public int FirstEmptyHostOfType(int type)
    {
        var hosts = _hostsOfType[type];
        var c = _emptyCursor[type];
        while (c < hosts.Length && _isOccupied[hosts[c]]) c++;
        _emptyCursor[type] = c;
        return c < hosts.Length ? hosts[c] : -1;
    }

    public int TypeIndexOf(int host) => Snapshot.Hosts[host].Type;

    public void Add(int vm, int host)
    {
        (_vmsOn[host] ??= []).Add(vm);
        if (_allocated is not null) Reserve(vm, host, add: true);
        if (!_tracksCpu)
        {
            _ramUsed[host] += _ramRequest[vm];
            MarkOccupied(host);
            return;
        }
        var req = _requested[vm];
        _sumRequested[host] += _requestOnceHosted[vm];
        _sumCapped[host] += Math.Min(req, _type[host].MipsPerCore);
        _ramUsed[host] += _ramRequest[vm];
        _bwUsed[host] += _bwRequest[vm];
        if (_historyReady) AddHistory(vm, host);
        var ram = Snapshot.Vms[vm].RamMb;
        if (ram > _maxRam[host]) _maxRam[host] = ram;
        MarkOccupied(host);
        _bestFit?.HostChanged(host);
    }

    private void MarkOccupied(int host)
    {
        if (_isOccupied[host]) return;
        _isOccupied[host] = true;
        _occupiedStale = true;
    }

    /// <summary><see cref="Add"/> of each VM in turn to a host that has none, while the history sums are not built:
    /// the same additions in the same order, summed in locals and the host's list filled at once.</summary>
    private void AddAll(ReadOnlySpan<int> vms, int host)
    {
        var list = _vmsOn[host] ??= new List<int>(vms.Length);
        list.AddRange(vms);
        _isOccupied[host] = true;
        if (!_tracksCpu)
        {
            double used = 0;
            foreach (var vm in vms) used += _ramRequest[vm];
            _ramUsed[host] = used;
            return;
        }
        var core = _type[host].MipsPerCore;
        double sumRequested = 0, sumCapped = 0, ram = 0, bw = 0, maxRam = _maxRam[host];
        foreach (var vm in vms)
        {
            sumRequested += _requestOnceHosted[vm];
            sumCapped += Math.Min(_requested[vm], core);
            ram += _ramRequest[vm];
            bw += _bwRequest[vm];
            var mb = Snapshot.Vms[vm].RamMb;
            if (mb > maxRam) maxRam = mb;
        }
        _sumRequested[host] = sumRequested;
        _sumCapped[host] = sumCapped;
        _ramUsed[host] = ram;
        _bwUsed[host] = bw;
        _maxRam[host] = maxRam;
        _isOccupied[host] = true;
    }

    public void Remove(int vm, int host)
    {
        var list = _vmsOn[host];
        if (list is null || !list.Remove(vm)) throw new InvalidOperationException($"VM {vm} is not planned on host {host}.");
        if (_allocated is not null) Reserve(vm, host, add: false);
        if (!_tracksCpu)
        {
            // Reset rather than subtract when emptied, as below.
            _ramUsed[host] = list.Count == 0 ? 0 : _ramUsed[host] - _ramRequest[vm];
            return;
        }
        if (list.Count == 0)
        {
            // Reset rather than subtract so an emptied host reads exactly zero, with no rounding residue.
            _sumRequested[host] = _sumCapped[host] = _ramUsed[host] = _bwUsed[host] = 0;
            if (_historyReady)
            {
                Array.Clear(_historySum!, host * UtilisationHistory.Capacity, _historyDepth);
                _historyLength![host] = 0;
            }
            _maxRam[host] = 0;
            _bestFit?.HostChanged(host);
            return;
        }
        if (Snapshot.Vms[vm].RamMb >= _maxRam[host])
        {
            double max = 0;
            foreach (var other in list) max = Math.Max(max, Snapshot.Vms[other].RamMb);
            _maxRam[host] = max;
        }
        var req = _requested[vm];
        _sumRequested[host] -= _requestOnceHosted[vm];
        _sumCapped[host] -= Math.Min(req, _type[host].MipsPerCore);
        _ramUsed[host] -= _ramRequest[vm];
        _bwUsed[host] -= _bwRequest[vm];
        var hist = Snapshot.History.Of(vm);
        if (_historyReady && hist.Length > 0)
        {
            var w = Snapshot.Vms[vm].Mips / _type[host].TotalMips;
            var offset = host * UtilisationHistory.Capacity;
            var kept = Math.Min(hist.Length, _historyDepth);
            for (var i = 0; i < kept; i++) _historySum![offset + i] -= hist[i] * w;
            if (hist.Length == _historyLength![host])
            {
                var max = 0;
                foreach (var other in list) max = Math.Max(max, Snapshot.History.CountOf(other));
                _historyLength[host] = max;
            }
        }
        _bestFit?.HostChanged(host);
    }

    /// <summary>The host's utilisation history (most recent first; each entry the sum over its VMs of VM use × VM MIPS
    /// / host MIPS, as CloudSim's PowerHostUtilizationHistory), optionally with one more VM. Returns the length written.</summary>
    public int HostHistory(int host, int extraVm, Span<double> destination)
    {
        EnsureHistory();
        if (_historyDepth < UtilisationHistory.Capacity)
            throw new InvalidOperationException($"this state keeps only the last {_historyDepth} samples of its host histories (LimitHistory); the whole history cannot be read.");
        var len = _historyLength![host];
        new ReadOnlySpan<double>(_historySum!, host * UtilisationHistory.Capacity, len).CopyTo(destination);
        if (extraVm >= 0)
        {
            var hist = Snapshot.History.Of(extraVm);
            if (hist.Length > len)
            {
                destination[len..hist.Length].Clear();
                len = hist.Length;
            }
            var w = Snapshot.Vms[extraVm].Mips / _type[host].TotalMips;
            for (var i = 0; i < hist.Length; i++) destination[i] += hist[i] * w;
        }
        return len;
    }

    /// <summary>Longest live-migration time among the host's VMs (plus an optional extra VM), in seconds.</summary>
    public double MaxMigrationSeconds(int host, int extraVm)
    {
        CpuTracked();
        var maxRam = extraVm >= 0 ? Math.Max(_maxRam[host], Snapshot.Vms[extraVm].RamMb) : _maxRam[host];
        return maxRam / Snapshot.MigrationMbPerSecond;
    }

    /// <summary>Length of the host's utilisation history with an optional extra VM, without copying it.</summary>
    public int HostHistoryLength(int host, int extraVm)
    {
        EnsureHistory();
        return extraVm >= 0 ? Math.Max(_historyLength![host], Snapshot.History.CountOf(extraVm)) : _historyLength![host];
    }

    /// <summary>The most recent <paramref name="destination"/>.Length entries of <see cref="HostHistory"/> (callers first
    /// check <see cref="HostHistoryLength"/>), for detectors that only look at a short window.</summary>
    public void HostHistoryWindow(int host, int extraVm, Span<double> destination)
    {
        EnsureHistory();
        var n = destination.Length;
        if (n > _historyDepth)
            throw new InvalidOperationException($"this state keeps only the last {_historyDepth} samples of its host histories (LimitHistory); {n} were asked for.");
        var offset = host * UtilisationHistory.Capacity;
        for (var i = 0; i < n; i++) destination[i] = i < _historyLength![host] ? _historySum![offset + i] : 0;
        if (extraVm < 0) return;
        var hist = Snapshot.History.Of(extraVm);
        var w = Snapshot.Vms[extraVm].Mips / _type[host].TotalMips;
        var m = Math.Min(n, hist.Length);
        for (var i = 0; i < m; i++) destination[i] += hist[i] * w;
    }

    /// <summary>Builds the host history sums from the host lists, each host's VMs in list order — the very additions
    /// <see cref="Add"/> makes, so the sums are the ones incremental upkeep from construction would have given (policies
    /// read them before removing anything). From then on <see cref="Add"/> and <see cref="Remove"/> keep them.</summary>
    internal void EnsureHistory()
    {
        CpuTracked();
        if (_historyReady) return;
        _historySum ??= new double[HostCount * UtilisationHistory.Capacity];
        _historyLength ??= new int[HostCount];
        _historyWritten ??= new bool[HostCount];
        _historyReady = true;
        for (var h = 0; h < HostCount; h++)
        {
            if (_vmsOn[h] is not { } list) continue;
            foreach (var vm in list) AddHistory(vm, h);
        }
    }

    private void AddHistory(int vm, int host)
    {
        var hist = Snapshot.History.Of(vm);
        if (hist.Length == 0) return;
        var w = Snapshot.Vms[vm].Mips / _type[host].TotalMips;
        var offset = host * UtilisationHistory.Capacity;
        _historyWritten![host] = true;
        var kept = Math.Min(hist.Length, _historyDepth);
        for (var i = 0; i < kept; i++) _historySum![offset + i] += hist[i] * w;
        if (hist.Length > _historyLength![host]) _historyLength[host] = hist.Length;
    }
}
