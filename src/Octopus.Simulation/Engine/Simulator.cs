using System.Diagnostics;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Simulation.Metrics;
using Octopus.Simulation.Setup;

namespace Octopus.Simulation.Engine;

/// <summary>Replays a trace-driven workload under one policy and measures it exactly as CloudSim 3.0.3 does.</summary>
/// <remarks>
/// The timeline follows CloudSim's event order, because the published figures depend on it:
/// <list type="bullet">
/// <item>VMs are created at time 0 asking for their full size; policies then run at 300k + 0.1 s (k ≥ 1), where a VM's
/// use is the trace linearly interpolated between its 5-minute samples.</item>
/// <item>A migration takes RAM / 62.5 MB/s. While it runs the VM is on both hosts: the source serves it (at 90 %, which
/// CloudSim adds back when computing load) and the destination carries 10 % of it.</item>
/// <item>Energy per host is the trapezoid between successive load samples; samples are taken at every migration end
/// and every interval; a host whose load was zero at the start of a span draws nothing in it (switched off).
/// CloudSim has no load sample before the first interval, so that interval counts zero for power-aware policies.</item>
/// <item>The run ends at 86,400 s: the last interval's migrations are accounted up to their completion.</item>
/// </list>
/// </remarks>
public sealed class Simulator
{
    private const double DecisionOffset = 0.1;

    private readonly Workload _w;
    private readonly IConsolidationPolicy _policy;
    private readonly MemoryMode _memory;
    private readonly int _hosts;
    private readonly double[] _total;
    private readonly double[] _core;
    private readonly HostType[] _type;
    private readonly double[] _sumNormal;
    private readonly double[] _sumIn;
    private double[] _allocA;
    private double[] _reqA;
    private double[] _allocB;
    private double[] _reqB;
    private readonly bool[] _activePrev;
    private readonly bool[] _hostOn;
    private readonly int[] _powerChanged;
    private readonly int[] _resident;
    private readonly List<int>?[] _offSteps; // per host: the intervals in which it was switched off
    private readonly List<int> _changed = []; // hosts a boundary's finished migrations left or reached
    private readonly bool[] _mark;

    // Per live VM (after initial placement, VMs that could not be placed are dropped, as CloudSim does).
    private VmSpec[] _vms = [];
    // _vms' trace rows and sizes as flat arrays, for the passes over every VM.
    private int[] _vmRow = [];
    private double[] _vmMips = [];
    private int[] _vmHost = [];
    // Per host: its VMs in index order (the order every per-host sum adds them in).
    private List<int>?[] _hostVms = [];
    // Hosts the per-host passes visit (ascending): every host not in it has no VM, no migration, is off, was not
    // active at the last entry and has every per-host sum and load at exactly zero, so visiting it would change nothing.
    private readonly List<int> _live = [];
    private long[] _arrival = [];
    private double[] _util = [];
    private long _arrivalCounter;
    private readonly List<InFlight> _inFlight = [];

    private double _energyJ;
    private double _activeTime;
    private double _violationTime;
    private double _pdmLost;
    private double _requestedTotal;
    private long _migrations;
    private long _shutdowns;
    private int _finished;
    private int[] _snapshotMap = [];
    // The snapshot's arrays, refilled each interval (policies read a snapshot only while planning on it); the VM arrays
    // are made anew only when the number of live VMs changed.
    private HostSnapshot[] _hostSnaps = [];
    private VmSnapshot[] _vmSnaps = [];

    private readonly record struct InFlight(int Vm, int From, int To, double Seconds);

    // Each trace row's use at the time last asked for (RowUtilAt): at --scale K, K VMs share a row, and every VM of a
    // row has the same use at a given time.
    private readonly double[] _rowUtil;
    private double _rowUtilTau = double.NaN;

    private Simulator(Workload workload, IConsolidationPolicy policy, MemoryMode memory)
    {
        _w = workload;
        _policy = policy;
        _memory = memory;
        _hosts = workload.HostCount;
        _total = new double[_hosts];
        _core = new double[_hosts];
        _type = new HostType[_hosts];
        for (var h = 0; h < _hosts; h++)
        {
            _type[h] = workload.HostTypes[workload.HostTypeOf[h]];
            _total[h] = _type[h].TotalMips;
            _core[h] = _type[h].MipsPerCore;
        }
        _sumNormal = new double[_hosts];
        _sumIn = new double[_hosts];
        _allocA = new double[_hosts];
        _reqA = new double[_hosts];
        _allocB = new double[_hosts];
        _reqB = new double[_hosts];
        _activePrev = new bool[_hosts];
        _hostOn = new bool[_hosts];
        _powerChanged = new int[_hosts];
        Array.Fill(_powerChanged, int.MinValue / 2);
        _resident = new int[_hosts];
        _offSteps = new List<int>?[_hosts];
        _rowUtil = new double[workload.Trace.VmCount];
        _mark = new bool[_hosts];
    }

    /// <summary>Runs the whole day. Throws <see cref="InvalidOperationException"/> if the policy returns an invalid plan.</summary>
    public static SimulationResult Run(Workload workload, IConsolidationPolicy policy, MemoryMode memory, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(policy);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var sim = new Simulator(workload, policy, memory);
        var result = sim.Execute(sw, ct);
        return result with { CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds };
    }

    private SimulationResult Execute(Stopwatch sw, CancellationToken ct)
    {
        var steps = _w.Steps;
        var dt = _w.IntervalSeconds;
        var activeSeries = new int[steps];
        var powerSeries = new double[steps];
        var unplaced = PlaceInitially();
        var history = new UtilisationHistory(_vms.Length);
        var nonPowerAware = _policy.PowerManagement == PowerManagement.None;

        if (nonPowerAware)
        {
            double maxWatts = 0;
            for (var h = 0; h < _hosts; h++) maxWatts += _type[h].MaxWatts;
            Array.Fill(activeSeries, _hosts);
            Array.Fill(powerSeries, maxWatts);
            // CloudSim's non-power-aware datacenter charges every host full power for each processed interval.
            _energyJ = maxWatts * dt * (steps - 1);
        }
        else
        {
            CollectLiveHosts();
            ComputeState(DecisionOffset, _allocA, _reqA, out _);
            RecordSeries(0, activeSeries, powerSeries);
        }

        for (var k = 1; k < steps; k++)
        {
            ct.ThrowIfCancellationRequested();
            var tau = (k * dt) + DecisionOffset;
            var rowUtil = RowUtilAt(tau);
            for (var v = 0; v < _vms.Length; v++)
            {
                if (_vmHost[v] < 0) continue;
                _util[v] = rowUtil[_vmRow[v]];
                history.Push(v, _util[v]);
                if (_util[v] == 0)
                {
                    // CloudSim treats a VM whose request is exactly zero as finished and removes it for good.
                    var h = _vmHost[v];
                    _resident[h]--;
                    _hostVms[h]!.Remove(v);
                    _vmHost[v] = -1;
                    _finished++;
                    if (_resident[h] == 0 && _hostOn[h])
                    {
                        // Nothing left to run: the host goes off, as an unloaded host does in CloudSim.
                        _hostOn[h] = false;
                        _powerChanged[h] = k;
                        RecordPowerOff(h, k);
                    }
                }
            }
            // Load the policy observes: every migration of the previous interval has finished by now (≤ 28 s ≪ 300 s).
            CollectLiveHosts();
            ComputeState(tau, _allocA, _reqA, out var requested);
            double? requestedBeforePlan = _inFlight.Count == 0 ? requested : null;
            var plan = _policy.Plan(BuildSnapshot(k, history));
            StartMigrations(plan, k, tau);
            if (nonPowerAware) continue;
            AccountInterval(k, tau, last: k == steps - 1, requestedBeforePlan, activeSeries, powerSeries);
        }

        var slatah = _activeTime > 0 ? _violationTime / _activeTime : 0;
        var pdm = _requestedTotal > 0 ? _pdmLost / _requestedTotal : 0;
        return new SimulationResult(_policy.Name, _energyJ / 3.6e6, slatah, pdm, _migrations, _shutdowns, unplaced,
            _finished, sw.Elapsed.TotalSeconds, 0, activeSeries, powerSeries) { MaxHostPowerOffs = _offSteps.Max(s => s?.Count ?? 0) };
    }

    private int PlaceInitially()
    {
        var all = _w.Vms;
        var vmSnaps = new VmSnapshot[all.Length];
        for (var v = 0; v < all.Length; v++)
        {
            var u = _w.Trace.Percent(all[v].TraceRow, 0) / 100.0;
            vmSnaps[v] = new VmSnapshot(all[v].Mips, all[v].RamMb, all[v].BandwidthMbps, -1, u, 0);
        }
        var hostSnaps = new HostSnapshot[_hosts];
        for (var h = 0; h < _hosts; h++) hostSnaps[h] = new HostSnapshot(_w.HostTypeOf[h], 0, HostPower.Off, int.MinValue / 2);
        var snapshot = new ClusterSnapshot
        {
            HostTypes = _w.HostTypes,
            Hosts = hostSnaps,
            Vms = vmSnaps,
            History = new UtilisationHistory(all.Length),
            Memory = _memory,
            Step = 0,
            Interval = TimeSpan.FromSeconds(_w.IntervalSeconds),
        };
        var plan = _policy.Plan(snapshot);
        var hostOf = new int[all.Length];
        Array.Fill(hostOf, -1);
        foreach (var p in plan.Placements)
        {
            if ((uint)p.Vm >= (uint)all.Length || (uint)p.Host >= (uint)_hosts || hostOf[p.Vm] >= 0)
                throw new InvalidOperationException($"policy {_policy.Name} returned an invalid placement (VM {p.Vm} → host {p.Host}).");
            hostOf[p.Vm] = p.Host;
        }
        var live = new List<int>();
        foreach (var p in plan.Placements) live.Add(p.Vm);
        _vms = new VmSpec[live.Count];
        _vmRow = new int[live.Count];
        _vmMips = new double[live.Count];
        _hostVms = new List<int>?[_hosts];
        _vmHost = new int[live.Count];
        _arrival = new long[live.Count];
        _util = new double[live.Count];
        for (var i = 0; i < live.Count; i++)
        {
            _vms[i] = all[live[i]];
            _vmRow[i] = _vms[i].TraceRow;
            _vmMips[i] = _vms[i].Mips;
            _vmHost[i] = hostOf[live[i]];
            (_hostVms[_vmHost[i]] ??= []).Add(i);
            _arrival[i] = _arrivalCounter++;
            _resident[_vmHost[i]]++;
            _hostOn[_vmHost[i]] = true;
            _powerChanged[_vmHost[i]] = 0;
        }
        foreach (var a in plan.PowerActions) ApplyPower(a, 0);
        return all.Length - live.Count;
    }

    private ClusterSnapshot BuildSnapshot(int k, UtilisationHistory history)
    {
        if (_hostSnaps.Length != _hosts) _hostSnaps = new HostSnapshot[_hosts];
        var hosts = _hostSnaps;
        for (var h = 0; h < _hosts; h++)
        {
            var on = _hostOn[h] || _resident[h] > 0;
            hosts[h] = new HostSnapshot(_w.HostTypeOf[h], _allocA[h], on ? HostPower.On : HostPower.Off, _powerChanged[h])
            {
                PowerOffsInLastDay = PowerOffsInLastDay(h, k),
            };
        }
        var live = 0;
        for (var v = 0; v < _vms.Length; v++)
        {
            if (_vmHost[v] >= 0) live++;
        }
        if (_vmSnaps.Length != live || _snapshotMap.Length != live)
        {
            // Every element is written below, so the (large, short-lived) arrays need not be zeroed first.
            _snapshotMap = GC.AllocateUninitializedArray<int>(live);
            _vmSnaps = GC.AllocateUninitializedArray<VmSnapshot>(live);
        }
        var map = _snapshotMap;
        var vms = _vmSnaps;
        var i = 0;
        for (var v = 0; v < _vms.Length; v++)
        {
            if (_vmHost[v] < 0) continue;
            var s = _vms[v];
            map[i] = v;
            vms[i++] = new VmSnapshot(s.Mips, s.RamMb, s.BandwidthMbps, _vmHost[v], _util[v], _arrival[v]);
        }
        return new ClusterSnapshot
        {
            HostTypes = _w.HostTypes,
            Hosts = hosts,
            Vms = vms,
            History = history.Select(map),
            Memory = _memory,
            Step = k,
            MeasuredSlatah = _activeTime > 0 ? _violationTime / _activeTime : null,
            Interval = TimeSpan.FromSeconds(_w.IntervalSeconds),
        };
    }

    private void StartMigrations(ConsolidationPlan plan, int k, double tau)
    {
        _inFlight.Clear();
        foreach (var m in plan.Migrations)
        {
            if ((uint)m.Vm >= (uint)_snapshotMap.Length || (uint)m.To >= (uint)_hosts)
                throw new InvalidOperationException($"policy {_policy.Name} returned an invalid migration (VM {m.Vm} → host {m.To}).");
            var vm = _snapshotMap[m.Vm];
            var seconds = _vms[vm].RamMb / 62.5;
            _inFlight.Add(new InFlight(vm, _vmHost[vm], m.To, seconds));
            _migrations++;
            _pdmLost += 0.1 * UtilAt(vm, tau) * _vms[vm].Mips * seconds;
            if (!_hostOn[m.To])
            {
                _hostOn[m.To] = true;
                _powerChanged[m.To] = k;
            }
        }
        foreach (var a in plan.PowerActions) ApplyPower(a, k);
    }

    private void ApplyPower(HostPowerAction action, int k)
    {
        if ((uint)action.Host >= (uint)_hosts)
            throw new InvalidOperationException($"policy {_policy.Name} returned a power action for unknown host {action.Host}.");
        var on = action.Target == HostPower.On;
        if (_hostOn[action.Host] == on) return;
        _hostOn[action.Host] = on;
        _powerChanged[action.Host] = k;
        if (!on) RecordPowerOff(action.Host, k);
    }

    private void RecordPowerOff(int h, int k)
    {
        (_offSteps[h] ??= []).Add(k);
    }

    /// <summary>Switch-offs of host <paramref name="h"/> in the 24 hours before interval <paramref name="k"/>.</summary>
    private int PowerOffsInLastDay(int h, int k)
    {
        if (_offSteps[h] is not { } steps) return 0;
        var from = k - (int)Math.Ceiling(86_400.0 / _w.IntervalSeconds);
        var n = 0;
        for (var i = steps.Count - 1; i >= 0 && steps[i] > from; i--) n++;
        return n;
    }

    /// <summary>Energy, SLA time and shutdowns of interval <paramref name="k"/> (from <paramref name="tau"/>), at every
    /// end of a migration started in it and at the interval's end (not for the <paramref name="last"/> one).
    /// <paramref name="requestedBeforePlan"/> is what <see cref="ComputeState"/> gave at <paramref name="tau"/> before
    /// the plan if no migration was in flight then (its state is still in the A arrays), else null.</summary>
    private void AccountInterval(int k, double tau, bool last, double? requestedBeforePlan, int[] activeSeries, double[] powerSeries)
    {
        var dt = _w.IntervalSeconds;
        // State right after the migrations started (CloudSim re-samples both hosts of each new migration): the state
        // before the plan with the new migrations added to their destinations — no VM has moved yet.
        // The plan may have switched hosts on and started migrations to them: they join the hosts visited.
        CollectLiveHosts();
        double requestedA;
        if (requestedBeforePlan is { } before)
        {
            AddInFlight(tau, _allocA, _reqA);
            requestedA = before;
        }
        else
        {
            ComputeState(tau, _allocA, _reqA, out requestedA);
        }
        RecordEntry();
        RecordSeries(k, activeSeries, powerSeries);
        var boundaries = new List<double>();
        foreach (var m in _inFlight)
        {
            if (!boundaries.Contains(m.Seconds)) boundaries.Add(m.Seconds);
        }
        boundaries.Sort();
        if (!last) boundaries.Add(dt);
        double a = 0;
        foreach (var b in boundaries)
        {
            var span = b - a;
            ComputeState(tau + b, _allocB, _reqB, out var requestedB);
            foreach (var h in _live)
            {
                var alloc = _allocA[h];
                if (alloc > 0)
                {
                    _energyJ += (_type[h].WattsAt(alloc / _total[h]) + _type[h].WattsAt(_allocB[h] / _total[h])) * 0.5 * span;
                    _activeTime += span;
                    if (alloc < _reqA[h] * (1 - 1e-12)) _violationTime += span;
                }
                else if (_hostOn[h] && _resident[h] == 0)
                {
                    _energyJ += _type[h].IdleWatts * span;
                }
            }
            _requestedTotal += requestedA * span;
            var completed = false;
            _changed.Clear();
            for (var i = 0; i < _inFlight.Count; i++)
            {
                var m = _inFlight[i];
                if (m.Seconds != b) continue;
                _changed.Add(_vmHost[m.Vm]);
                _changed.Add(m.To);
                // A VM listed twice in one plan (CloudSim's underload pass can re-move a VM it just placed) ends on the last.
                _resident[_vmHost[m.Vm]]--;
                _hostVms[_vmHost[m.Vm]]!.Remove(m.Vm);
                _vmHost[m.Vm] = m.To;
                _resident[m.To]++;
                InsertInOrder(_hostVms[m.To] ??= [], m.Vm);
                _arrival[m.Vm] = _arrivalCounter++;
                completed = true;
            }
            (_allocA, _allocB) = (_allocB, _allocA);
            (_reqA, _reqB) = (_reqB, _reqA);
            requestedA = requestedB;
            if (completed)
            {
                _inFlight.RemoveAll(m => m.Seconds == b);
                // Only the hosts the finished migrations left and reached change (same VMs, same time, same total).
                RecomputeHosts(tau + b, _allocA, _reqA, _changed);
            }
            RecordEntry();
            a = b;
        }
    }

    private static void InsertInOrder(List<int> list, int vm)
    {
        var at = list.BinarySearch(vm);
        list.Insert(at < 0 ? ~at : at, vm);
    }

    /// <summary>Fills <see cref="_live"/>: the hosts that have VMs, migrations, power, were active at the last entry, or
    /// have any per-host sum or load not exactly zero; the others contribute nothing to any per-host pass until one of
    /// these changes, which happens only to a host with a VM or a migration, or switched on (collected again after
    /// every plan).</summary>
    private void CollectLiveHosts()
    {
        _live.Clear();
        foreach (var m in _inFlight)
        {
            _mark[m.To] = true;
            _mark[_vmHost[m.Vm]] = true;
        }
        for (var h = 0; h < _hosts; h++)
        {
            if (_mark[h] || _resident[h] > 0 || _hostOn[h] || _activePrev[h] || _allocA[h] != 0 || _allocB[h] != 0
                || _reqA[h] != 0 || _reqB[h] != 0 || _sumNormal[h] != 0 || _sumIn[h] != 0)
            {
                _live.Add(h);
            }
            _mark[h] = false;
        }
    }

    private void RecordEntry()
    {
        foreach (var h in _live)
        {
            var active = _allocA[h] > 0;
            if (_activePrev[h] && !active) _shutdowns++;
            _activePrev[h] = active;
        }
    }

    private void RecordSeries(int k, int[] activeSeries, double[] powerSeries)
    {
        var active = 0;
        double watts = 0;
        foreach (var h in _live)
        {
            if (_allocA[h] > 0)
            {
                active++;
                watts += _type[h].WattsAt(_allocA[h] / _total[h]);
            }
            else if (_hostOn[h] && _resident[h] == 0)
            {
                active++;
                watts += _type[h].IdleWatts;
            }
        }
        activeSeries[k] = active;
        powerSeries[k] = watts;
    }

    /// <summary>A VM's CPU use at an absolute time: its trace interpolated between 5-minute samples; the last sample
    /// repeats (CloudSim pads the day with a copy of the final value).</summary>
    private double UtilAt(int vm, double tau)
    {
        var (i0, i1, frac) = SamplesAt(tau);
        return UtilAt(vm, i0, i1, frac);
    }

    /// <summary>The two samples a time falls between and how far it is from the first (the same for every VM).</summary>
    private (int I0, int I1, double Frac) SamplesAt(double tau)
    {
        var dt = _w.IntervalSeconds;
        var idx = (int)(tau / dt);
        var frac = (tau - (idx * dt)) / dt;
        var steps = _w.Steps;
        return (Math.Min(idx, steps - 1), Math.Min(idx + 1, steps - 1), frac);
    }

    private double UtilAt(int vm, int i0, int i1, double frac) => RowUtil(_vmRow[vm], i0, i1, frac);

    private double RowUtil(int row, int i0, int i1, double frac)
    {
        var d0 = _w.Trace.Percent(row, i0);
        var d1 = _w.Trace.Percent(row, i1);
        return (d0 + ((d1 - d0) * frac)) / 100.0;
    }

    /// <summary>Every trace row's use at a time (the same numbers <see cref="UtilAt(int, double)"/> gives each VM of the
    /// row), computed once per time instead of once per VM.</summary>
    private double[] RowUtilAt(double tau)
    {
        if (tau.Equals(_rowUtilTau)) return _rowUtil;
        var (i0, i1, frac) = SamplesAt(tau);
        for (var r = 0; r < _rowUtil.Length; r++) _rowUtil[r] = RowUtil(r, i0, i1, frac);
        _rowUtilTau = tau;
        return _rowUtil;
    }

    /// <summary>Adds the migrations in flight to a state <see cref="ComputeState"/> computed with none in flight, as
    /// <see cref="ComputeState"/> would have counted them (same additions in the same order).</summary>
    private void AddInFlight(double tau, double[] alloc, double[] req)
    {
        foreach (var m in _inFlight)
        {
            var r = UtilAt(m.Vm, tau) * _vms[m.Vm].Mips;
            _sumIn[m.To] += Math.Min(r, _core[m.To]);
            req[m.To] += r;
        }
        foreach (var m in _inFlight) alloc[m.To] = Allocated(m.To);
    }

    /// <summary>Makes the state of <paramref name="hosts"/> what <see cref="ComputeState"/> would give now (their VMs in
    /// index order, then the migrations in flight to them), leaving every other host as it is: for after migrations
    /// end, which changes only the hosts they left and reached.</summary>
    private void RecomputeHosts(double tau, double[] alloc, double[] req, List<int> hosts)
    {
        var rowUtil = RowUtilAt(tau);
        foreach (var h in hosts)
        {
            if (_mark[h]) continue;
            _mark[h] = true;
            double normal = 0, requested = 0;
            var core = _core[h];
            if (_hostVms[h] is { } vms)
            {
                // The host's VMs in index order: the additions ComputeState's pass over every VM makes for this host.
                foreach (var v in vms)
                {
                    var r = rowUtil[_vmRow[v]] * _vmMips[v];
                    normal += Math.Min(r, core);
                    requested += r;
                }
            }
            _sumNormal[h] = normal;
            _sumIn[h] = 0;
            req[h] = requested;
        }
        foreach (var m in _inFlight)
        {
            if (!_mark[m.To]) continue;
            var r = UtilAt(m.Vm, tau) * _vmMips[m.Vm];
            _sumIn[m.To] += Math.Min(r, _core[m.To]);
            req[m.To] += r;
        }
        foreach (var h in hosts)
        {
            if (!_mark[h]) continue;
            alloc[h] = Allocated(h);
            _mark[h] = false;
        }
    }

    /// <summary>Delivered MIPS of a host from its sums (see <see cref="ComputeState"/>).</summary>
    private double Allocated(int h)
    {
        var normal = _sumNormal[h];
        var incoming = _sumIn[h];
        var delivered = normal + (incoming / 9);
        var needed = normal + (0.1 * incoming);
        if (needed > _total[h]) delivered *= _total[h] / needed;
        return delivered;
    }

    /// <summary>Load per host at a time: delivered MIPS (requests capped at one core, migrating-in VMs at 10 %,
    /// scaled down when the host is oversubscribed) and requested MIPS (uncapped, migrating-in VMs in full).</summary>
    private void ComputeState(double tau, double[] alloc, double[] req, out double requestedByVms)
    {
        // Hosts outside _live hold zero sums already.
        foreach (var h in _live)
        {
            _sumNormal[h] = 0;
            _sumIn[h] = 0;
            req[h] = 0;
        }
        double total = 0;
        var rowUtil = RowUtilAt(tau);
        var vmHost = _vmHost;
        var vmRow = _vmRow;
        var vmMips = _vmMips;
        for (var v = 0; v < vmHost.Length; v++)
        {
            var h = vmHost[v];
            if (h < 0) continue;
            var r = rowUtil[vmRow[v]] * vmMips[v];
            _sumNormal[h] += Math.Min(r, _core[h]);
            req[h] += r;
            total += r;
        }
        foreach (var m in _inFlight)
        {
            var r = UtilAt(m.Vm, tau) * _vmMips[m.Vm];
            _sumIn[m.To] += Math.Min(r, _core[m.To]);
            req[m.To] += r;
        }
        foreach (var h in _live) alloc[h] = Allocated(h);
        requestedByVms = total;
    }
}
