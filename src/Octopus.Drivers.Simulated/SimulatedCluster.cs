using Octopus.Domain.Networks;
using System.Text.Json;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Simulated;

/// <summary>The simulated "hardware" of a whole cluster, shared by its nodes: operations take time, VMs survive a
/// control-plane restart (state kept in <see cref="SimulatedClusterOptions.StateFile"/>), running VMs produce CPU load, and
/// each VM has a serial console of what its guest printed at each state change. The control plane talks to it only
/// through one <see cref="SimulatedNode"/> per host (<see cref="Node"/>, <see cref="SimulatedNodeResolver"/>) and the
/// <see cref="SimulatedPowerDriver"/>; the methods here are for tests and drills (define, fail hosts, inject failures).</summary>
public sealed class SimulatedCluster
{
    private readonly SimulatedClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, SimHost> _hosts = [];
    private readonly Dictionary<Guid, SimVm> _vms = [];
    private readonly Dictionary<Guid, string> _injectedFailures = [];
    private readonly Dictionary<Guid, MigrationTarget> _incoming = []; // VMs a node waits for (not kept across restarts, like a waiting QEMU)
    private readonly SimulatedConsole _console;
    private readonly Dictionary<Guid, List<SimulatedSerialSession>> _serial = []; // open consoles: connections, not state

    public SimulatedCluster(SimulatedClusterOptions options, TimeProvider time)
    {
        options.Validate();
        _options = options;
        _time = time;
        _console = new SimulatedConsole(options.StateFile is { } f ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(f))!, "simulated-console") : null, time);
        Load();
    }

    public const string DriverName = "simulated";

    /// <summary>Makes the simulated hardware match the configured hosts: adds new ones (powered on), updates capacity.</summary>
    public void DefineHost(HostId id, int cores, HostPowerState initialState)
    {
        lock (_gate)
        {
            if (_hosts.TryGetValue(id.Value, out var h))
            {
                if (h.Cores == cores) return;
                h.Cores = cores;
            }
            else _hosts[id.Value] = h = new SimHost { Id = id.Value, Cores = cores, PowerState = initialState };
            Saved(h);
        }
    }

    /// <summary>Simulates a host crash: the host is Failed and the VMs on it stop (for failure-handling tests and demos).</summary>
    public void FailHost(HostId host)
    {
        lock (_gate)
        {
            var h = HostOrThrow(host);
            h.PowerState = HostPowerState.Failed;
            Saved(h);
            foreach (var v in _vms.Values.Where(v => v.Host == host.Value))
            {
                v.Running = false;
                v.Suspended = false;
                EndSerial(v.Id, "octopus-sim: the host failed; the VM is off");
                Saved(v);
            }
        }
    }

    /// <summary>Makes the next operation on <paramref name="vm"/> fail with <paramref name="message"/> (for tests and drills).</summary>
    public void InjectFailure(VmId vm, string message)
    {
        lock (_gate) _injectedFailures[vm.Value] = message;
    }

    /// <summary>The node driver of <paramref name="host"/> (the host need not be defined yet: its calls then say so).</summary>
    public SimulatedNode Node(HostId host) => new(this, host);

    /// <summary>The file the VM writes to, as the last create, start or disk switch named it; null when it has none.</summary>
    public string? ActiveDiskOf(VmId vm)
    {
        lock (_gate) return _vms.TryGetValue(vm.Value, out var v) ? v.ActiveDisk : null;
    }

    /// <summary>The security group the VM's node enforces now (from its last create, start, arrival or
    /// <see cref="SimulatedNode.ApplyIngressAsync"/>); null when the VM is unknown or admitted openly.</summary>
    public IReadOnlyList<IngressRule>? IngressOf(VmId vm)
    {
        lock (_gate) return _vms.TryGetValue(vm.Value, out var v) && v.Ingress is { } texts ? [.. texts.Select(IngressRule.Parse)] : null;
    }

    /// <summary>The cloud-init seed the VM last booted with (no disk is made: the simulated node records it); null when
    /// the VM is unknown or booted without one.</summary>
    public CloudInitSeed? CloudInitSeedOf(VmId vm)
    {
        lock (_gate) return _vms.TryGetValue(vm.Value, out var v) ? v.CloudInit : null;
    }

    internal async Task ApplyIngressAsync(HostId host, VmId vm, IReadOnlyList<IngressRule> ingress, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            v.Ingress = Texts(ingress);
            Saved(v);
        }
    }

    private static List<string>? Texts(IReadOnlyList<IngressRule>? rules) => rules is null ? null : [.. rules.Select(r => r.ToString())];

    internal async Task CreateAsync(HostId host, VmRuntimeSpec spec, CancellationToken ct)
    {
        spec.Validate();
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(spec.Id);
            var h = HostOrThrow(host);
            if (h.PowerState != HostPowerState.On) throw new DriverException($"host {host} is {h.PowerState}; cannot create VMs there.");
            if (_vms.TryGetValue(spec.Id.Value, out var existing))
            {
                // A VM whose host failed is recreated elsewhere (restart elsewhere): its old instance died with the host.
                if (existing.Host != host.Value && _hosts.TryGetValue(existing.Host, out var old) && old.PowerState == HostPowerState.Failed)
                    existing.Host = host.Value;
                if (existing.Host != host.Value) throw new DriverException($"VM {spec.Name} already exists on another host.");
                if (!existing.Running)
                {
                    existing.ActiveDisk = spec.BootDisk?.ActivePath;
                    existing.Ingress = Texts(spec.Ingress);
                    existing.CloudInit = spec.Seed;
                    _console.Boot(Info(existing));
                }
                existing.MemoryBytes = spec.Geometry.Memory.Bytes;
                existing.Suspended = false;
                existing.Running = true;
                Saved(existing);
            }
            else
            {
                var created = new SimVm
                {
                    Id = spec.Id.Value, Name = spec.Name, Host = host.Value, Cores = spec.Geometry.Cores, MemoryBytes = spec.Geometry.Memory.Bytes, Running = true,
                    Seed = StableSeed(_options.Seed, spec.Id), ActiveDisk = spec.BootDisk?.ActivePath, Ingress = Texts(spec.Ingress),
                    CloudInit = spec.Seed,
                };
                _vms[spec.Id.Value] = created;
                _console.Boot(Info(created));
                Saved(created);
            }
        }
    }

    internal async Task StartAsync(HostId host, VmRuntimeSpec spec, CancellationToken ct)
    {
        spec.Validate();
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(spec.Id);
            var v = VmOrThrow(host, spec.Id);
            if (HostOrThrow(host).PowerState != HostPowerState.On) throw new DriverException("its host is not powered on.");
            if (!v.Running)
            {
                v.ActiveDisk = spec.BootDisk?.ActivePath; // a stopped VM boots on the disk it is given now
                v.Ingress = Texts(spec.Ingress);
                v.CloudInit = spec.Seed; // as a real node does, a stopped VM boots with the seed it is given now
                _console.Boot(Info(v));
            }
            v.Running = true;
            v.Suspended = false;
            Saved(v);
        }
    }

    internal async Task StopAsync(HostId host, VmId vm, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            if (v.Running)
            {
                _console.PowerOff(v.Id);
                EndSerial(v.Id, "reboot: Power down");
            }
            v.Running = false;
            v.Suspended = false;
            Saved(v);
        }
    }

    internal async Task RebootAsync(HostId host, VmId vm, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            if (!v.Running) throw new DriverException("the VM is not running; start it instead of rebooting.");
            _console.Reboot(Info(v));
            foreach (var session in _serial.GetValueOrDefault(v.Id) ?? []) session.Rebooted();
        }
    }

    internal async Task DeleteAsync(HostId host, VmId vm, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            // Only this node's copy: a VM that lives on another node (or waits to arrive elsewhere) is not touched.
            if (_incoming.TryGetValue(vm.Value, out var waiting) && waiting.Host == host) _incoming.Remove(vm.Value);
            if (_vms.TryGetValue(vm.Value, out var v) && v.Host == host.Value)
            {
                _vms.Remove(vm.Value);
                _console.Delete(vm.Value);
                EndSerial(vm.Value, "octopus-sim: the VM was deleted");
                Removed(vm.Value);
            }
        }
    }

    /// <summary>Pauses a running VM in place: it stays "running" to the hypervisor but reports no CPU.</summary>
    internal async Task SuspendAsync(HostId host, VmId vm, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            if (!v.Running) throw new DriverException("the VM is not running; only a running VM can be suspended.");
            v.Suspended = true;
            Saved(v);
        }
    }

    /// <summary>Resumes a suspended VM; a running one is left as it is.</summary>
    internal async Task ResumeAsync(HostId host, VmId vm, CancellationToken ct)
    {
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            if (!v.Running) throw new DriverException("the VM is not running; start it instead of resuming.");
            v.Suspended = false;
            Saved(v);
        }
    }

    internal async Task SwitchDiskAsync(HostId host, VmId vm, string newActiveDisk, CancellationToken ct)
    {
        if (!Path.IsPathRooted(newActiveDisk)) throw new DriverException($"the new disk must be an absolute path; got '{newActiveDisk}'.");
        await DelayAsync(_options.OperationDelay, ct);
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var v = VmOrThrow(host, vm);
            if (string.Equals(v.ActiveDisk, newActiveDisk, StringComparison.Ordinal)) return;
            // Like a real file that exists: a disk any VM writes or wrote (now frozen) is never a new leaf.
            if (_vms.Values.Any(o => string.Equals(o.ActiveDisk, newActiveDisk, StringComparison.Ordinal) || o.Frozen.Contains(newActiveDisk)))
                throw new DriverException($"the new disk {newActiveDisk} already exists; choose a new file name.");
            if (v.ActiveDisk is { } old) v.Frozen.Add(old);
            v.ActiveDisk = newActiveDisk;
            Saved(v);
        }
    }

    internal Task<MigrationTarget> PrepareIncomingAsync(HostId host, VmRuntimeSpec spec, CancellationToken ct)
    {
        spec.Validate();
        lock (_gate)
        {
            ThrowIfInjected(spec.Id);
            var h = HostOrThrow(host);
            if (h.PowerState != HostPowerState.On) throw new DriverException($"destination host is {h.PowerState}.");
            if (_vms.TryGetValue(spec.Id.Value, out var v) && v.Host == host.Value)
                throw new DriverException($"VM {spec.Name} already runs on host {host}; it cannot migrate here.");
            var target = new MigrationTarget(host, $"sim://{host}/{spec.Id}");
            _incoming[spec.Id.Value] = target;
            return Task.FromResult(target);
        }
    }

    internal async Task<MigrationStats> MigrateAsync(HostId host, VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_vms.TryGetValue(vm.Value, out var v) || v.Host != host.Value) return MigrationStats.Unknown; // moved already
            if (!v.Running) throw new DriverException("the VM is not running; only a running VM can be live-migrated.");
            if (!_incoming.TryGetValue(vm.Value, out var waiting) || waiting != target)
                throw new DriverException($"host {target.Host} is not waiting for VM {v.Name} at {target.Uri}; prepare it first.");
        }
        const int steps = 10; // reported one by one, so a client's progress bar moves
        for (var i = 1; i <= steps; i++)
        {
            await DelayAsync(_options.OperationDelay / steps, ct);
            progress?.Report(i / (double)steps);
        }
        lock (_gate)
        {
            ThrowIfInjected(vm);
            var d = HostOrThrow(target.Host);
            if (d.PowerState != HostPowerState.On) throw new DriverException($"destination host is {d.PowerState}.");
            if (!_incoming.Remove(vm.Value, out var waiting) || waiting != target)
                throw new DriverException($"host {target.Host} stopped waiting for the VM; it keeps running here.");
            var moved = VmOrThrow(host, vm);
            moved.Host = target.Host.Value;
            Saved(moved);
        }
        return MigrationStats.Unknown;
    }

    internal async Task PowerOnAsync(HostId host, CancellationToken ct)
    {
        await DelayAsync(_options.PowerTransitionDelay, ct);
        lock (_gate)
        {
            var h = HostOrThrow(host);
            h.PowerState = HostPowerState.On;
            Saved(h);
        }
    }

    internal async Task PowerOffAsync(HostId host, CancellationToken ct)
    {
        lock (_gate)
        {
            HostOrThrow(host);
            if (_vms.Values.Any(v => v.Host == host.Value && v.Running))
                throw new DriverException("the host still runs VMs; migrate or stop them first.");
        }
        await DelayAsync(_options.PowerTransitionDelay, ct);
        lock (_gate)
        {
            var h = HostOrThrow(host);
            h.PowerState = HostPowerState.Off;
            Saved(h);
        }
    }

    internal Task<NodeObservation> ObserveAsync(HostId host, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var h = HostOrThrow(host);
            var vms = _vms.Values.Where(v => v.Host == host.Value).Select(v =>
            {
                var cpu = v.Running && !v.Suspended ? CpuCurve(v.Seed, now) : 0;
                return new VmObservation(new VmId(v.Id), v.Running, v.Running && v.Suspended, cpu,
                    v.Running ? Figures(v.Seed, v.MemoryBytes, cpu) : null);
            }).ToList();
            // Host load: demand of its running VMs over its capacity, each vCPU counted as one core's share.
            var coresBusy = vms.Where(v => v.Running).Sum(v => v.CpuLoad * _vms[v.Vm.Value].Cores);
            var load = h.PowerState == HostPowerState.On ? Math.Min(1, coresBusy / Math.Max(1, h.Cores)) : 0;
            return Task.FromResult(new NodeObservation(host, h.PowerState, load, vms));
        }
    }

    /// <summary>The last <paramref name="maxBytes"/> bytes of the VM's simulated serial console (boot and power-off messages
    /// written at its state changes, <see cref="SimulatedConsole.MaxBytes"/> kept); empty when it has never run.</summary>
    internal Task<string> ReadConsoleAsync(HostId host, VmId vm, int maxBytes, CancellationToken ct)
    {
        lock (_gate)
        {
            VmOrThrow(host, vm);
            return Task.FromResult(_console.Read(vm.Value, maxBytes) ?? "");
        }
    }

    /// <summary>A serial console on the running VM's simulated guest (<see cref="SimulatedShell"/>); it ends when the VM
    /// stops, is deleted or its host fails. A suspended VM is refused: its guest could not answer.</summary>
    internal Task<Stream> OpenSerialAsync(HostId host, VmId vm, CancellationToken ct)
    {
        lock (_gate)
        {
            var v = VmOrThrow(host, vm);
            if (!v.Running) throw new DriverException($"VM {v.Name} is not running; start it to use its serial console.");
            if (v.Suspended) throw new DriverException($"VM {v.Name} is suspended; resume it to use its serial console.");
            var session = new SimulatedSerialSession(new SimulatedShell(v.Name), CloseSerial);
            if (!_serial.TryGetValue(v.Id, out var open)) _serial[v.Id] = open = [];
            open.Add(session);
            return Task.FromResult<Stream>(session);
        }
    }

    private void CloseSerial(SimulatedSerialSession session)
    {
        lock (_gate)
        {
            foreach (var (vm, open) in _serial)
            {
                if (!open.Remove(session)) continue;
                if (open.Count == 0) _serial.Remove(vm);
                return;
            }
        }
    }

    private void EndSerial(Guid vm, string lastWords)
    {
        if (!_serial.Remove(vm, out var open)) return;
        foreach (var session in open) session.End(lastWords);
    }

    private static SimVmInfo Info(SimVm v) => new(v.Id, v.Name, v.Cores, v.Host);

    /// <summary>A smooth, seeded load curve in [0.02, 0.95]: a per-VM base level plus two slow waves.</summary>
    internal static double CpuCurve(int seed, DateTimeOffset now)
    {
        var rng = new Random(seed);
        var baseLevel = 0.05 + rng.NextDouble() * 0.45;
        var phase1 = rng.NextDouble() * Math.Tau;
        var phase2 = rng.NextDouble() * Math.Tau;
        var minutes = now.ToUnixTimeSeconds() / 60.0;
        var v = baseLevel + 0.15 * Math.Sin(minutes / 37.0 + phase1) + 0.08 * Math.Sin(minutes / 7.3 + phase2);
        return Math.Clamp(v, 0.02, 0.95);
    }

    /// <summary>What a simulated guest uses besides CPU, following its <see cref="CpuCurve"/>: memory from 30 % of its size
    /// (idle) to 90 % (busy), and disk and network rates that are a per-VM seeded peak (1–20 MiB/s of disk, 0.2–10 MiB/s
    /// of network) times its load. A suspended guest (load 0) keeps its memory and does no I/O.</summary>
    internal static VmFigures Figures(int seed, long memoryBytes, double cpu)
    {
        const double MiB = 1024 * 1024;
        var rng = new Random(unchecked(seed * 31 + 7));
        var disk = (1 + rng.NextDouble() * 19) * MiB * cpu;
        var net = (0.2 + rng.NextDouble() * 9.8) * MiB * cpu;
        var readShare = 0.2 + rng.NextDouble() * 0.6;
        var receiveShare = 0.2 + rng.NextDouble() * 0.6;
        var memory = (long)((memoryBytes > 0 ? memoryBytes : 1L << 30) * (0.3 + 0.6 * cpu));
        return new VmFigures(memory, disk * readShare, disk * (1 - readShare), net * receiveShare, net * (1 - receiveShare));
    }

    /// <summary>A seed that is the same in every process (unlike <see cref="HashCode"/>), so curves survive restarts.</summary>
    private static int StableSeed(int seed, VmId id)
    {
        Span<byte> b = stackalloc byte[16];
        id.Value.TryWriteBytes(b);
        return seed ^ BitConverter.ToInt32(b[..4]) ^ BitConverter.ToInt32(b[4..8]) ^ BitConverter.ToInt32(b[8..12]) ^ BitConverter.ToInt32(b[12..]);
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken ct) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, ct);

    private void ThrowIfInjected(VmId vm)
    {
        if (_injectedFailures.Remove(vm.Value, out var message)) throw new DriverException(message);
    }

    private SimVm VmOrThrow(HostId host, VmId vm) =>
        _vms.TryGetValue(vm.Value, out var v) && v.Host == host.Value ? v : throw new DriverException($"simulated host {host} has no VM {vm}.");

    private SimHost HostOrThrow(HostId host) =>
        _hosts.TryGetValue(host.Value, out var h) ? h : throw new DriverException($"the simulated cluster has no host {host}.");

    /// <summary>Reads the state file (and its journal) again, replacing what this process holds. Server replicas that share
    /// a data folder share the simulated hardware through it: the replica that becomes leader (the only one that drives
    /// the hardware) takes it over as the previous leader left it. Without a state file nothing changes.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            if (_options.StateFile is null || !File.Exists(_options.StateFile) && !File.Exists(JournalFile)) return;
            _hosts.Clear();
            _vms.Clear();
            _incoming.Clear();
            Load();
        }
    }

    /// <summary>Writes the whole state file and empties the journal (what a long journal triggers by itself; tools and tests
    /// that read the state file call it first). Without a state file nothing happens.</summary>
    public void Compact()
    {
        lock (_gate) WriteSnapshot();
    }

    /// <summary>The journal beside the state file (<c>state.journal</c>): one line per change since the state file was
    /// last written whole, appended as each change is made, so a change costs one short append, not a rewrite of every
    /// host and VM, and a killed server loses none of them (an append is in the file, through the OS, when it returns; as
    /// before, nothing is synced to the disk, since the simulated hardware is not meant to outlive a machine crash).</summary>
    private string JournalFile => Path.ChangeExtension(_options.StateFile!, ".journal");

    /// <summary>The journal is folded into the state file once it has more lines than this or than twice the hosts and
    /// VMs (so its replay at start-up stays proportional to the state, and the rewrite's cost is spread over as many
    /// changes as it rewrites records).</summary>
    private const int CompactAfterLines = 4096;

    private int _journalLines;
    private bool _snapshotWritten; // the state file exists (the first change of a fresh folder writes it whole)

    private void Load()
    {
        if (_options.StateFile is null) return;
        _snapshotWritten = File.Exists(_options.StateFile);
        if (_snapshotWritten)
        {
            try
            {
                var state = JsonSerializer.Deserialize<SimState>(File.ReadAllText(_options.StateFile));
                foreach (var h in state?.Hosts ?? []) _hosts[h.Id] = h;
                foreach (var v in state?.Vms ?? []) _vms[v.Id] = v;
            }
            catch (JsonException e)
            {
                throw new DriverException($"the simulated cluster state file {_options.StateFile} is corrupt ({e.Message}); " +
                    "move it away to start with an empty simulated cluster.", e);
            }
        }
        _journalLines = 0;
        if (!File.Exists(JournalFile)) return;
        var lines = File.ReadAllLines(JournalFile);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            SimChange? change;
            try { change = JsonSerializer.Deserialize<SimChange>(lines[i]); }
            catch (JsonException e)
            {
                if (i == lines.Length - 1)
                {
                    // The last append, cut short by a kill: its change was never acknowledged. The state is written whole, so
                    // the next append does not land on the cut line.
                    WriteSnapshot();
                    return;
                }
                throw new DriverException($"the simulated cluster journal {JournalFile} is corrupt at line {i + 1} ({e.Message}); " +
                    "move it and the state file away to start with an empty simulated cluster.", e);
            }
            if (change?.Host is { } h) _hosts[h.Id] = h;
            if (change?.Vm is { } v) _vms[v.Id] = v;
            if (change?.RemovedVm is { } gone) _vms.Remove(gone);
            _journalLines++;
        }
    }

    private void Saved(SimHost host) => Append(new SimChange { Host = host });

    private void Saved(SimVm vm) => Append(new SimChange { Vm = vm });

    private void Removed(Guid vm) => Append(new SimChange { RemovedVm = vm });

    /// <summary>Records one change (the whole changed record, so replaying a line twice is harmless) in the journal, or
    /// folds the journal into the state file when it has grown long.</summary>
    private void Append(SimChange change)
    {
        if (_options.StateFile is null) return;
        if (!_snapshotWritten || _journalLines >= Math.Max(CompactAfterLines, 2 * (_hosts.Count + _vms.Count)))
        {
            WriteSnapshot();
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_options.StateFile))!);
        File.AppendAllText(JournalFile, JsonSerializer.Serialize(change) + "\n");
        _journalLines++;
    }

    /// <summary>Writes every host and VM to the state file (a temporary file moved over it), then deletes the journal it
    /// now contains. A kill between the two leaves a journal whose changes the state file already has: replayed, they
    /// change nothing.</summary>
    private void WriteSnapshot()
    {
        if (_options.StateFile is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_options.StateFile))!);
        var tmp = $"{_options.StateFile}.{Environment.ProcessId}.tmp"; // replicas sharing the folder never share a temporary file
        File.WriteAllText(tmp, JsonSerializer.Serialize(new SimState { Hosts = [.. _hosts.Values], Vms = [.. _vms.Values] }));
        File.Move(tmp, _options.StateFile, overwrite: true);
        File.Delete(JournalFile);
        _journalLines = 0;
        _snapshotWritten = true;
    }

    /// <summary>One line of the journal: a host or VM as it is now, or a VM deleted.</summary>
    private sealed class SimChange
    {
        public SimHost? Host { get; set; }
        public SimVm? Vm { get; set; }
        public Guid? RemovedVm { get; set; }
    }

    private sealed class SimState
    {
        public List<SimHost> Hosts { get; set; } = [];
        public List<SimVm> Vms { get; set; } = [];
    }

    private sealed class SimHost
    {
        public Guid Id { get; set; }
        public int Cores { get; set; }
        public HostPowerState PowerState { get; set; }
    }

    private sealed class SimVm
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public Guid Host { get; set; }
        public int Cores { get; set; }
        /// <summary>The geometry's memory (0 in a state file written before it was kept: taken as 1 GiB).</summary>
        public long MemoryBytes { get; set; }
        public bool Running { get; set; }
        public bool Suspended { get; set; }
        public int Seed { get; set; }
        public string? ActiveDisk { get; set; }
        /// <summary>Files this VM wrote before a disk switch froze them.</summary>
        public List<string> Frozen { get; set; } = [];
        /// <summary>The security group the VM's node enforces, in the rule text form; null: admitted openly.</summary>
        public List<string>? Ingress { get; set; }
        /// <summary>The cloud-init seed the VM last booted with (a real node attaches it as a read-only disk); null: none.</summary>
        public CloudInitSeed? CloudInit { get; set; }
    }
}
