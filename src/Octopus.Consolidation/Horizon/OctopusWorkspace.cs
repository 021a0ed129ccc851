using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Horizon;

/// <summary>Mutable planning state of one <see cref="OctopusPolicy"/> run: forecast and current load per host on top
/// of a <see cref="PlacementState"/>, plus the plan being built.</summary>
internal sealed class OctopusWorkspace
{
    private readonly OctopusOptions _options;
    private readonly double[] _forecast;
    private readonly double[] _current;
    private readonly double[] _hostCurrent;
    // Mean and σ of each indexed host's summed load, as of its last Reindex (MayFit's bound).
    private readonly double[] _hostMean;
    private readonly double[] _hostSd;
    private readonly double[] _series;
    private readonly int _window;
    private readonly double _z;
    private readonly bool[] _on;
    private readonly bool[] _touched;
    private readonly bool[] _moved;
    private readonly int[] _typeOrder;
    private readonly HostLoadIndex _index;
    private readonly int[][] _hostsOfType;
    private readonly int[] _idleCursor;
    private readonly int[] _offCursor;

    public OctopusWorkspace(ClusterSnapshot snapshot, OctopusOptions options, DemandForecaster forecaster)
        : this(snapshot, options, forecaster, null)
    {
    }

    /// <summary>Builds the workspace of <paramref name="snapshot"/>, reusing the arrays of <paramref name="recycled"/>
    /// (the workspace of an earlier interval, no longer read) when it covers the same hosts; the workspace is the same
    /// as a fresh one.</summary>
    public OctopusWorkspace(ClusterSnapshot snapshot, OctopusOptions options, DemandForecaster forecaster, OctopusWorkspace? recycled)
    {
        Snapshot = snapshot;
        _options = options;
        var v = snapshot.Vms.Length;
        var h = snapshot.Hosts.Length;
        _window = options.ForecastWindow;
        if (recycled is not null && (recycled._on.Length != h || recycled._window != _window)) recycled = null;
        if (recycled is not null)
        {
            // Only hosts that had VMs while the last plan was made have load sums to clear (taken before its planning
            // state is recycled): at --scale 100 that is a few thousand rows, not 80,000.
            var window = _window;
            foreach (var host in recycled.State.OccupiedHosts)
            {
                recycled._hostCurrent[host] = 0;
                Array.Clear(recycled._series, host * window, window);
            }
        }
        // Its own load figures (below) are what octopus plans by: the state keeps host lists and memory only.
        State = new PlacementState(snapshot, recycled?.State, tracksCpu: false);
        _forecast = recycled is not null && recycled._forecast.Length >= v ? recycled._forecast : new double[v];
        _current = recycled is not null && recycled._current.Length >= v ? recycled._current : new double[v];
        _moved = recycled is not null && recycled._moved.Length >= v ? Cleared(recycled._moved) : new bool[v];
        _hostCurrent = recycled?._hostCurrent ?? new double[h];
        _hostMean = recycled?._hostMean ?? new double[h];
        _hostSd = recycled?._hostSd ?? new double[h];
        _series = recycled?._series ?? new double[h * _window];
        _on = recycled?._on ?? new bool[h];
        _touched = recycled is not null ? Cleared(recycled._touched) : new bool[h];
        _z = SlaController.Z(options.Quantile, options.SlaTarget, options.SlaGain, snapshot.MeasuredSlatah);
        // A VM with a full window of samples (nearly all after the first half hour) has its forecast's sums formed in the
        // same read of its samples that adds them to its host's series: the same additions as Forecast makes.
        var w = _window;
        var fused = forecaster.Window == w && w >= 2;
        for (var i = 0; i < v; i++)
        {
            ref readonly var vm = ref snapshot.Vms[i];
            var hist = snapshot.History.Of(i);
            var current = vm.Utilisation * vm.Mips;
            _current[i] = current;
            if (fused && hist.Length >= w)
            {
                var mips = vm.Mips;
                double sum = 0, sumSq = 0;
                if (vm.Host >= 0)
                {
                    _hostCurrent[vm.Host] += current;
                    var series = _series.AsSpan(vm.Host * w, w);
                    for (var t = 0; t < series.Length; t++)
                    {
                        var x = hist[t];
                        sum += x;
                        sumSq += x * x;
                        series[t] += x * mips;
                    }
                }
                else
                {
                    for (var t = 0; t < w; t++)
                    {
                        sum += hist[t];
                        sumSq += hist[t] * hist[t];
                    }
                }
                _forecast[i] = forecaster.FromSums(vm.Utilisation, sum, sumSq, w) * mips;
                continue;
            }
            _forecast[i] = forecaster.Forecast(vm.Utilisation, hist) * vm.Mips;
            if (vm.Host < 0) continue;
            // AddLoad(i, vm.Host, +1), with the history already at hand.
            _hostCurrent[vm.Host] += current;
            var row = _series.AsSpan(vm.Host * _window, _window);
            for (var t = 0; t < row.Length; t++) row[t] += (t < hist.Length ? hist[t] : vm.Utilisation) * vm.Mips;
        }
        for (var i = 0; i < h; i++) _on[i] = snapshot.Hosts[i].Power == HostPower.On || State.HasVms(i);
        var typeCount = snapshot.HostTypes.Count;
        if (recycled is not null && recycled._index.HasTypes(snapshot.Hosts, typeCount))
        {
            _hostsOfType = recycled._hostsOfType;
            _index = recycled._index;
            _index.Clear();
        }
        else
        {
            var typeOf = new int[h];
            for (var i = 0; i < h; i++) typeOf[i] = snapshot.Hosts[i].Type;
            var perType = new List<int>[typeCount];
            for (var t = 0; t < perType.Length; t++) perType[t] = [];
            for (var i = 0; i < h; i++) perType[typeOf[i]].Add(i);
            _hostsOfType = [.. perType.Select(l => l.ToArray())];
            _index = new HostLoadIndex(typeOf, typeCount);
        }
        _idleCursor = new int[typeCount];
        _offCursor = new int[typeCount];
        // The index is empty: only hosts that are on and occupied enter it (Reindex of any other host removes nothing).
        foreach (var i in State.OccupiedHosts)
        {
            if (_on[i]) Reindex(i);
        }
        // Most efficient host types first: watts per MIPS at full load.
        _typeOrder = [.. Enumerable.Range(0, snapshot.HostTypes.Count)
            .OrderBy(t => snapshot.HostTypes[t].MaxWatts / snapshot.HostTypes[t].TotalMips)];
    }

    private static T[] Cleared<T>(T[] array)
    {
        Array.Clear(array);
        return array;
    }

    public ClusterSnapshot Snapshot { get; }
    public PlacementState State { get; }
    public List<VmPlacement> Placements { get; } = [];
    public List<VmMigration> Migrations { get; } = [];
    public List<HostPowerAction> PowerActions { get; } = [];
    public List<UnplacedVm> Unplaced { get; } = [];
    public List<HeldHost> Held { get; } = [];

    public double Forecast(int vm) => _forecast[vm];
    /// <summary>The host's forecast demand in MIPS: the quantile of its summed load (see <see cref="HostDemandForecaster"/>).</summary>
    public double HostForecast(int host) => HostDemandForecaster.Forecast(_hostCurrent[host], _series.AsSpan(host * _window, _window), _z);

    /// <summary>The z the forecast uses this interval (the configured quantile after SLA feedback).</summary>
    public double Z => _z;
    public double HostCurrent(int host) => _hostCurrent[host];
    public bool IsOn(int host) => _on[host];
    public bool IsTouched(int host) => _touched[host];
    public bool WasMoved(int vm) => _moved[vm];
    public int ConsolidationMigrations { get; private set; }

    /// <summary>Consolidation migrations allowed in this interval.</summary>
    public int MigrationBudget => (int)Math.Ceiling(_options.MigrationBudgetPer1000Vms * Snapshot.Vms.Length / 1000.0);

    /// <summary>Whether the VM fits the host within a forecast fill limit, now and by memory and core size, and
    /// placement's filters take it there (<see cref="PlacementState.PlacementAllows"/>).</summary>
    public bool Fits(int vm, int host, double fill)
    {
        var type = State.TypeOf(host);
        var total = type.TotalMips;
        // A core must serve the VM's forecast, or CloudSim-style per-core capping shows as an SLA violation.
        if (_forecast[vm] > type.MipsPerCore || _current[vm] > type.MipsPerCore) return false;
        if (_hostCurrent[host] + _current[vm] > total) return false;
        var vmSnap = Snapshot.Vms[vm];
        var ramNeeded = vmSnap.Host < 0 || Snapshot.Memory == MemoryMode.Enforced ? vmSnap.RamMb : 0;
        if (type.RamMb - State.RamUsed(host) < ramNeeded) return false;
        if (!State.PlacementAllows(vm, host)) return false;
        return ForecastWith(vm, host) <= fill * total;
    }

    /// <summary>The host's forecast demand if the VM joined it.</summary>
    /// <remarks>The summed series is formed sample by sample inside the sums (no copy): the same additions, in the same
    /// order, as <see cref="HostDemandForecaster.Forecast"/> over a copy would make.</remarks>
    public double ForecastWith(int vm, int host)
    {
        var current = _hostCurrent[host] + _current[vm];
        var n = _window;
        if (n < 2) return current;
        var row = _series.AsSpan(host * n, n);
        var hist = Snapshot.History.Of(vm);
        ref readonly var snap = ref Snapshot.Vms[vm];
        var mips = snap.Mips;
        var u = snap.Utilisation;
        double sum = 0, sumSq = 0;
        for (var t = 0; t < n; t++)
        {
            var x = row[t] + ((t < hist.Length ? hist[t] : u) * mips);
            sum += x;
            sumSq += x * x;
        }
        return HostDemandForecaster.FromSums(current, sum, sumSq, n, _z);
    }

    /// <summary>Adds (sign +1) or removes (−1) the VM's current load and load history to the host's sums. A VM with
    /// fewer samples than the window counts its current use for the missing ones.</summary>
    private void AddLoad(int vm, int host, int sign)
    {
        _hostCurrent[host] += sign * _current[vm];
        var hist = Snapshot.History.Of(vm);
        var mips = Snapshot.Vms[vm].Mips;
        var u = Snapshot.Vms[vm].Utilisation;
        var row = _series.AsSpan(host * _window, _window);
        for (var t = 0; t < _window; t++) row[t] += sign * (t < hist.Length ? hist[t] : u) * mips;
    }

    /// <summary>Best-fit host among those on; if none, the first off host of the most efficient type that fits
    /// (which the caller powers on). <paramref name="allowPowerOn"/> false forbids the latter.</summary>
    /// <remarks>Defined by <see cref="ChooseTargetByScan"/>: the highest score (load after the move as a fraction of the
    /// host, less the type's watts per MIPS), ties to the first host in scan order (occupied hosts by index, then empty
    /// hosts that are on, by index). Found here through the load index: per type, buckets from the highest load the VM
    /// can still fit under (load now + VM ≤ fill) downwards, skipping buckets without the memory or the forecast
    /// headroom (mean − z·σ of the VM (<see cref="VmMeanAndDeviation"/>)), until a bucket's best possible score is below the best found. Every
    /// host visited is checked with the scan's exact rule, so the choice is the same (OctopusWorkspaceIndexTests).
    /// Empty hosts of a type are interchangeable for the fit (no load, no memory used), so only the first empty host
    /// that is on, and the first that is off, of each type are looked at. A choice costs O(log hosts) per bucket visited
    /// plus the hosts in those buckets, instead of O(hosts).</remarks>
    public int ChooseTarget(int vm, int exclude, bool allowPowerOn, HostSet? alsoExcluded = null)
    {
        var best = -1;
        var bestScore = double.MinValue;
        var cur = _current[vm];
        var vmSnap = Snapshot.Vms[vm];
        var ramNeeded = vmSnap.Host < 0 || Snapshot.Memory == MemoryMode.Enforced ? vmSnap.RamMb : 0;
        var fill = Math.Min(1, _options.FillTarget);
        var (vmMean, vmSd) = VmMeanAndDeviation(vm);
        var minHeadroom = vmMean - (_z * vmSd) - HeadroomTolerance;
        for (var t = 0; t < _hostsOfType.Length; t++)
        {
            var type = (HostType)Snapshot.HostTypes[t];
            if (_forecast[vm] > type.MipsPerCore || cur > type.MipsPerCore) continue;
            var idle = FirstIdleHost(t, exclude, alsoExcluded);
            if (idle >= 0) Consider(idle);
            // A host's forecast is never below its load now, so only loads up to fill × capacity − the VM can fit.
            var limit = ((fill * type.TotalMips) - cur) / type.TotalMips;
            if (limit + ScoreTolerance < 0) continue;
            var bucket = _index.HighestBucket(t, HostLoadIndex.BucketOf(limit + ScoreTolerance), ramNeeded, minHeadroom);
            while (bucket >= 0)
            {
                var upper = HostLoadIndex.UpperKey(bucket);
                if (!double.IsPositiveInfinity(upper) && Score(type, upper * type.TotalMips, cur) < bestScore - ScoreTolerance) break;
                var members = _index.Entries(t, bucket);
                // A member whose forecast with the VM is bound to exceed the fill limit (see MayFit) is not read further.
                var fillMips = _options.FillTarget * type.TotalMips;
                var failed = TakeBucketBest(members, type, fillMips);
                if (failed >= 0)
                {
                    foreach (ref readonly var e in members)
                    {
                        if (e.Host != failed && MayFit(e, ramNeeded, vmMean, vmSd, fillMips)) Consider(e.Host);
                    }
                }
                _index.Refresh(t, bucket);
                bucket = _index.HighestBucket(t, bucket - 1, ramNeeded, minHeadroom);
            }
        }
        if (best >= 0 || !allowPowerOn) return best;
        foreach (var t in _typeOrder)
        {
            var h = FirstOffHost(t, alsoExcluded);
            if (h >= 0 && Fits(vm, h, _options.FillTarget)) return h;
        }
        return -1;

        // The member that would win the bucket if it fits: the highest score, ties to the lowest scan rank. If it fits it
        // is the bucket's answer (every other member ranks below it), and the bucket needs no more forecasts — at
        // --scale K the K copies of a host tie, and reading them in bucket order formed a forecast for each.
        // Members are on and occupied (the index holds no others), so their scan rank is their index.
        int TakeBucketBest(ReadOnlySpan<HostLoadIndex.Entry> members, HostType type, double fillMips)
        {
            var top = -1;
            var topScore = bestScore;
            var topRank = ScanRank(best);
            foreach (ref readonly var e in members)
            {
                var h = e.Host;
                if (h == exclude || !MayFit(e, ramNeeded, vmMean, vmSd, fillMips)) continue;
                var score = Score(type, e.Load, cur);
                if (!(score > topScore || (score == topScore && h < topRank))) continue;
                if (alsoExcluded?.Contains(h) == true) continue;
                top = h;
                topScore = score;
                topRank = h;
            }
            if (top < 0) return -1;
            if (!Fits(vm, top, _options.FillTarget)) return top;
            best = top;
            bestScore = topScore;
            return -1;
        }

        void Consider(int h)
        {
            if (h == exclude || !_on[h] || alsoExcluded?.Contains(h) == true) return;
            // Cheapest test first: a host that would not beat the best so far needs no forecast.
            var score = Score(State.TypeOf(h), _hostCurrent[h], cur);
            if (!(score > bestScore || (score == bestScore && ScanRank(h) < ScanRank(best)))) return;
            if (!Fits(vm, h, _options.FillTarget)) return;
            bestScore = score;
            best = h;
        }
    }

    /// <summary>Margin (load fraction, score) that absorbs rounding between the bucket bounds and the exact scores.</summary>
    private const double ScoreTolerance = 1e-9;

    /// <summary>Margin (MIPS) for the headroom bound: the forecast's σ comes from E[x²] − E[x]², whose rounding on
    /// sums of thousands of MIPS can reach 1e-4.</summary>
    private const double HeadroomTolerance = 1e-2;

    /// <summary>The host's forecast headroom: fill × capacity − (mean + z·σ of its summed load). The search skips hosts
    /// whose headroom is below mean − z·σ of the VM (<see cref="VmMeanAndDeviation"/>): they cannot take the VM within the fill limit.</summary>
    private double Headroom(int host)
    {
        var (mean, sd) = MeanAndDeviation(_series.AsSpan(host * _window, _window));
        _hostMean[host] = mean;
        _hostSd[host] = sd;
        return (_options.FillTarget * State.TotalMips(host)) - (mean + (_z * sd));
    }

    /// <summary>Mean and standard deviation of the VM's load over the forecast window (MIPS). The headroom a host needs
    /// to take the VM is at least mean − z·σ: σ(host + VM) ≥ σ(host) − σ(VM), so forecast(host + VM) ≥ mean(host) +
    /// z·σ(host) + mean(VM) − z·σ(VM) (z ≥ 0).</summary>
    private (double Mean, double Deviation) VmMeanAndDeviation(int vm)
    {
        Span<double> series = stackalloc double[_window];
        var hist = Snapshot.History.Of(vm);
        var mips = Snapshot.Vms[vm].Mips;
        var u = Snapshot.Vms[vm].Utilisation;
        for (var t = 0; t < _window; t++) series[t] = (t < hist.Length ? hist[t] : u) * mips;
        return MeanAndDeviation(series);
    }

    /// <summary>False when the host cannot take the VM: not enough free memory, or, by the bound σ(host + VM) ≥
    /// |σ(host) − σ(VM)| (the triangle inequality of the centred series): forecast(host + VM) ≥ mean(host) + mean(VM)
    /// + z·|σ(host) − σ(VM)|. True says nothing: <see cref="Fits"/> decides. Reads two numbers per host instead of
    /// its window, so the search skips most hosts of a bucket it has to visit without forming their forecast.</summary>
    private bool MayFit(in HostLoadIndex.Entry host, double ramNeeded, double vmMean, double vmSd, double fillMips) =>
        host.FreeMemory >= ramNeeded && host.Mean + vmMean + (_z * Math.Abs(host.Deviation - vmSd)) <= fillMips + HeadroomTolerance;

    private static (double Mean, double Deviation) MeanAndDeviation(ReadOnlySpan<double> values)
    {
        double sum = 0, sumSq = 0;
        foreach (var x in values)
        {
            sum += x;
            sumSq += x * x;
        }
        var mean = sum / values.Length;
        return (mean, Math.Sqrt(Math.Max(0, (sumSq / values.Length) - (mean * mean))));
    }

    /// <summary>Best fit by forecast, with a small bonus for efficient types so they fill first.</summary>
    private static double Score(HostType type, double hostLoad, double vmLoad) =>
        ((hostLoad + vmLoad) / type.TotalMips) - (type.MaxWatts / type.TotalMips);

    /// <summary>Position in <see cref="ChooseTargetByScan"/>'s order: occupied hosts first, then the others, by index.</summary>
    private long ScanRank(int host) => host < 0 ? long.MaxValue : (State.IsOccupied(host) ? 0L : State.HostCount) + host;

    /// <summary>The lowest-index host of the type that is on, unoccupied and not excluded, or -1.</summary>
    private int FirstIdleHost(int type, int exclude, HostSet? alsoExcluded)
    {
        var hosts = _hostsOfType[type];
        // Hosts only ever become occupied while planning, so everything before the cursor stays skipped.
        var c = _idleCursor[type];
        while (c < hosts.Length && (!_on[hosts[c]] || State.IsOccupied(hosts[c]))) c++;
        _idleCursor[type] = c;
        for (var k = c; k < hosts.Length; k++)
        {
            var h = hosts[k];
            if (!_on[h] || State.IsOccupied(h)) continue;
            if (h != exclude && alsoExcluded?.Contains(h) != true) return h;
        }
        return -1;
    }

    /// <summary>The lowest-index host of the type that is off, unoccupied and not excluded, or -1.</summary>
    private int FirstOffHost(int type, HostSet? alsoExcluded)
    {
        var hosts = _hostsOfType[type];
        // Hosts only ever come on or become occupied while planning, so everything before the cursor stays skipped.
        var c = _offCursor[type];
        while (c < hosts.Length && (_on[hosts[c]] || State.IsOccupied(hosts[c]))) c++;
        _offCursor[type] = c;
        for (var k = c; k < hosts.Length; k++)
        {
            var h = hosts[k];
            if (_on[h] || State.IsOccupied(h)) continue;
            if (alsoExcluded?.Contains(h) != true) return h;
        }
        return -1;
    }

    /// <summary>The reference definition <see cref="ChooseTarget"/> must reproduce: a scan of every host. O(hosts) per
    /// VM; kept for the equivalence tests.</summary>
    internal int ChooseTargetByScan(int vm, int exclude, bool allowPowerOn, HostSet? alsoExcluded = null)
    {
        var best = -1;
        var bestScore = double.MinValue;
        foreach (var h in State.OccupiedHosts) Consider(h);
        for (var h = 0; h < _on.Length; h++)
        {
            if (_on[h] && !State.IsOccupied(h)) Consider(h);
        }
        if (best >= 0 || !allowPowerOn) return best;
        foreach (var t in _typeOrder)
        {
            for (var h = 0; h < _on.Length; h++)
            {
                if (_on[h] || Snapshot.Hosts[h].Type != t || State.IsOccupied(h)) continue;
                if (alsoExcluded?.Contains(h) == true) continue;
                if (Fits(vm, h, _options.FillTarget)) return h;
            }
        }
        return -1;

        void Consider(int h)
        {
            if (h == exclude || !_on[h] || alsoExcluded?.Contains(h) == true) return;
            if (!Fits(vm, h, _options.FillTarget)) return;
            var score = Score(State.TypeOf(h), _hostCurrent[h], _current[vm]);
            if (score > bestScore)
            {
                bestScore = score;
                best = h;
            }
        }
    }

    /// <summary>Keeps the load index in step: hosts that are on and occupied, keyed by load now / capacity, with their
    /// free memory and forecast headroom as the bounds.</summary>
    private void Reindex(int host)
    {
        if (!_on[host] || !State.IsOccupied(host))
        {
            _index.Remove(host);
            return;
        }
        var type = State.TypeOf(host);
        var headroom = Headroom(host);
        _index.Set(host, _hostCurrent[host] / type.TotalMips, type.RamMb - State.RamUsed(host), headroom, _hostCurrent[host], _hostMean[host], _hostSd[host]);
    }

    public void PlaceNewVms()
    {
        var pending = new List<int>();
        for (var v = 0; v < Snapshot.Vms.Length; v++)
        {
            if (Snapshot.Vms[v].Host < 0) pending.Add(v);
        }
        pending.Sort((a, b) => _forecast[b].CompareTo(_forecast[a]) is var c && c != 0 ? c : a.CompareTo(b));
        foreach (var v in pending)
        {
            var h = ChooseTarget(v, -1, allowPowerOn: true);
            if (h < 0)
            {
                Unplaced.Add(new UnplacedVm(v, $"no host can take {_forecast[v]:0} MIPS forecast and {Snapshot.Vms[v].RamMb:0} MB within {_options.FillTarget:P0} fill"));
                continue;
            }
            PowerOnIfNeeded(h);
            Assign(v, h);
            Placements.Add(new VmPlacement(v, h, PlanReason.InitialPlacement, new ExpectedEffect(0, 0, 0)));
        }
    }

    public void RelieveOverloads()
    {
        var hosts = new List<int>(State.OccupiedHosts);
        foreach (var h in hosts)
        {
            var type = State.TypeOf(h);
            var total = type.TotalMips;
            var guard = 0;
            while (guard++ < 64)
            {
                var capped = CoreCappedVm(h);
                var forecast = HostForecast(h);
                var overloaded = forecast > _options.OverloadLimit * total || _hostCurrent[h] > total;
                if (capped < 0 && !overloaded) break;
                var vm = capped >= 0 ? capped : PickVmToRelieve(h);
                if (vm < 0) break;
                var target = ChooseTarget(vm, h, allowPowerOn: true);
                if (target < 0) break;
                var risk = Math.Min(1, forecast / total);
                PowerOnIfNeeded(target);
                Move(vm, h, target, PlanReason.HostOverloaded, new ExpectedEffect(0, 0, risk));
                _touched[h] = true;
            }
        }
    }

    private int CoreCappedVm(int host)
    {
        var core = State.TypeOf(host).MipsPerCore;
        foreach (var vm in State.VmsOn(host))
        {
            if (!_moved[vm] && _current[vm] > core) return vm;
        }
        return -1;
    }

    /// <summary>The smallest-memory VM whose departure ends the overload; else the VM with the largest forecast.</summary>
    private int PickVmToRelieve(int host)
    {
        var excess = HostForecast(host) - (_options.FillTarget * State.TotalMips(host));
        int best = -1, largest = -1;
        double bestRam = double.MaxValue, largestForecast = -1;
        foreach (var vm in State.VmsOn(host))
        {
            if (_moved[vm]) continue;
            if (_forecast[vm] >= excess && Snapshot.Vms[vm].RamMb < bestRam)
            {
                bestRam = Snapshot.Vms[vm].RamMb;
                best = vm;
            }
            if (_forecast[vm] > largestForecast)
            {
                largestForecast = _forecast[vm];
                largest = vm;
            }
        }
        return best >= 0 ? best : largest;
    }

    /// <summary>Hosts that may be emptied now: on, loaded, not part of this interval's other moves, forecast below the
    /// underload limit, on for at least the dwell time (hysteresis), and below the daily power-cycle cap.</summary>
    public List<int> DrainCandidates()
    {
        var list = new List<int>();
        foreach (var h in State.OccupiedHosts)
        {
            if (!_on[h] || _touched[h] || !State.HasVms(h)) continue;
            if (Snapshot.Step - Snapshot.Hosts[h].PowerChangedStep < _options.MinimumDwellSteps) continue;
            if (HostForecast(h) >= _options.UnderloadLimit * State.TotalMips(h)) continue;
            if (AtPowerCycleCap(h))
            {
                Hold(h, "underloaded");
                continue;
            }
            list.Add(h);
        }
        // Cheapest to empty first: fewest migrations per host freed, then the least loaded.
        list.Sort((a, b) =>
        {
            var c = State.VmsOn(a).Count.CompareTo(State.VmsOn(b).Count);
            if (c != 0) return c;
            c = (_hostCurrent[a] / State.TotalMips(a)).CompareTo(_hostCurrent[b] / State.TotalMips(b));
            return c != 0 ? c : a.CompareTo(b);
        });
        return list;
    }

    public double DrainCostMb(int host)
    {
        double mb = 0;
        foreach (var vm in State.VmsOn(host)) mb += Snapshot.Vms[vm].RamMb;
        return mb;
    }

    /// <summary>Seconds the host's VMs take to migrate, one after another.</summary>
    public double DrainSeconds(int host)
    {
        double seconds = 0;
        foreach (var vm in State.VmsOn(host)) seconds += Snapshot.Vms[vm].RamMb / Snapshot.MigrationMbPerSecond;
        return seconds;
    }

    /// <summary>Net value (joules) of emptying the host: the power it saves (its watts now, less what its VMs add on
    /// their targets) over the horizon, minus a cost proportional to that saving — each second of migration costs
    /// <see cref="OctopusOptions.MigrationWeight"/> seconds of it — and the fixed cost per MB moved.</summary>
    /// <remarks>Because the migration cost scales with the saving, a drain pays iff horizon > weight × migration time
    /// (when the fixed cost is 0, the default), whatever the watts: a shorter horizon drains fewer, larger-VM hosts,
    /// never none (no cliff). E.g. horizon 6 × 300 s = 1800 s, weight 10: two 1740 MB VMs (2 × 27.8 s = 55.7 s;
    /// 557 s ≤ 1800 s) drain; a fixed 50 J/MB would have cost 174 kJ against ~90 W × 1800 s = 162 kJ and refused.</remarks>
    public double DrainValue(int host, double extraTargetWatts)
    {
        var seconds = _options.HorizonSteps * Snapshot.Interval.TotalSeconds;
        var savedWatts = State.TypeOf(host).WattsAt(_hostCurrent[host] / State.TotalMips(host)) - extraTargetWatts;
        if (savedWatts <= 0) return savedWatts;
        return (savedWatts * (seconds - (_options.MigrationWeight * DrainSeconds(host)))) - (DrainCostMb(host) * _options.MigrationCostJoulesPerMb);
    }

    public void DrainGreedily()
    {
        var drained = new HostSet(_on.Length);
        foreach (var source in DrainCandidates())
        {
            var on = State.VmsOn(source);
            if (on.Count == 0 || HasMovedVm(on)) continue;
            // Largest forecast first, ties by index (a total order, so the sort gives what a stable one would).
            var vms = new List<int>(on);
            vms.Sort((a, b) => _forecast[b].CompareTo(_forecast[a]) is var c && c != 0 ? c : a.CompareTo(b));
            if (ConsolidationMigrations + vms.Count > MigrationBudget) continue;
            drained.Add(source);
            var tentative = new List<(int Vm, int To, double Watts)>();
            var ok = true;
            foreach (var vm in vms)
            {
                var target = ChooseTarget(vm, source, allowPowerOn: false, drained);
                if (target < 0) { ok = false; break; }
                var type = State.TypeOf(target);
                var before = type.WattsAt(_hostCurrent[target] / type.TotalMips);
                Assign(vm, target);
                var after = type.WattsAt(_hostCurrent[target] / type.TotalMips);
                tentative.Add((vm, target, after - before));
            }
            var extra = tentative.Sum(t => t.Watts);
            if (ok && DrainValue(source, extra) > 0)
            {
                foreach (var (vm, to, watts) in tentative)
                {
                    Unassign(vm, to);
                    Move(vm, source, to, PlanReason.HostUnderloaded, new ExpectedEffect(State.ObservedWatts(source) / vms.Count - watts, 1, 0));
                    ConsolidationMigrations++;
                }
                _touched[source] = true;
                continue;
            }
            foreach (var (vm, to, _) in tentative) Unassign(vm, to);
        }
    }

    private bool HasMovedVm(IReadOnlyList<int> vms)
    {
        foreach (var vm in vms)
        {
            if (_moved[vm]) return true;
        }
        return false;
    }

    /// <summary>Commits a drain decided elsewhere (the re-pack solver).</summary>
    public void CommitDrain(int source, IReadOnlyList<(int Vm, int To)> moves)
    {
        var watts = State.ObservedWatts(source) / Math.Max(1, moves.Count);
        foreach (var (vm, to) in moves)
        {
            Move(vm, source, to, PlanReason.Repack, new ExpectedEffect(watts, 1, 0));
            ConsolidationMigrations++;
        }
        _touched[source] = true;
    }

    private bool AtPowerCycleCap(int h) =>
        _options.MaxPowerOffsPerDay > 0 && Snapshot.Hosts[h].PowerOffsInLastDay >= _options.MaxPowerOffsPerDay;

    public void PowerOffIdleHosts()
    {
        for (var h = 0; h < _on.Length; h++)
        {
            if (!_on[h] || State.HasVms(h)) continue;
            // A host switched on within the dwell time stays on unless it never received anything (it was never needed).
            if (Snapshot.Hosts[h].Power == HostPower.On && Snapshot.Step - Snapshot.Hosts[h].PowerChangedStep < _options.MinimumDwellSteps
                && !WasEmptiedThisStep(h)) continue;
            // A host at its daily power-cycle cap stays on, idle, rather than cycle again.
            if (Snapshot.Hosts[h].Power == HostPower.On && AtPowerCycleCap(h))
            {
                Hold(h, "idle");
                continue;
            }
            _on[h] = false;
            Reindex(h);
            if (Snapshot.Hosts[h].Power == HostPower.On)
                PowerActions.Add(new HostPowerAction(h, HostPower.Off, PlanReason.HostEmpty, new ExpectedEffect(State.ObservedWatts(h), 1, 0)));
        }
    }

    /// <summary>Records that a host stays on because of the daily power-cycle cap (once per host and plan).</summary>
    private void Hold(int host, string state)
    {
        foreach (var held in Held)
        {
            if (held.Host == host) return;
        }
        Held.Add(new HeldHost(host, $"{state} but kept on: it was switched off {Snapshot.Hosts[host].PowerOffsInLastDay} time(s) in the last 24 h, "
            + $"the daily power-cycle cap (octopus.max-cycles = {_options.MaxPowerOffsPerDay})"));
    }

    private bool WasEmptiedThisStep(int host)
    {
        foreach (var m in Migrations)
        {
            if (m.From == host) return true;
        }
        return false;
    }

    private void PowerOnIfNeeded(int host)
    {
        if (_on[host]) return;
        _on[host] = true;
        Reindex(host);
        PowerActions.Add(new HostPowerAction(host, HostPower.On, PlanReason.CapacityNeeded, new ExpectedEffect(-State.TypeOf(host).IdleWatts, 0, 0)));
    }

    private void Move(int vm, int from, int to, PlanReason reason, ExpectedEffect effect)
    {
        Unassign(vm, from);
        Assign(vm, to);
        _moved[vm] = true;
        _touched[to] = true;
        Migrations.Add(new VmMigration(vm, from, to, reason, effect));
    }

    public void Assign(int vm, int host)
    {
        State.Add(vm, host);
        AddLoad(vm, host, +1);
        Reindex(host);
    }

    public void Unassign(int vm, int host)
    {
        State.Remove(vm, host);
        AddLoad(vm, host, -1);
        Reindex(host);
    }
}
