using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Octopus.Domain.Hosts;
using Octopus.Domain.Networks;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Migration;
using Octopus.Drivers.Qemu.Processes;
using Octopus.Drivers.Qemu.Qmp;

namespace Octopus.Drivers.Qemu;

/// <summary>What a restarted agent found in one VM folder.</summary>
/// <param name="Outcome">Adopted (QEMU runs, QMP reconnected), Stopped (defined, no QEMU) or Unreadable (folder kept, VM skipped).</param>
/// <param name="Reason">Why, in words for the operator.</param>
public sealed record RecoveredVm(VmId Vm, RecoveryOutcome Outcome, string Reason);

public enum RecoveryOutcome { Adopted, Stopped, Unreadable }

/// <summary>A live disk snapshot: <paramref name="Frozen"/> no longer changes; the VM now writes to <paramref name="Active"/>,
/// a qcow2 child of it.</summary>
public sealed record DiskSnapshot(VmId Vm, string Frozen, string Active);

/// <summary>CPU and memory use of a VM's QEMU process.</summary>
/// <param name="CpuLoad">Fraction of the VM's vCPUs busy since the previous sample (0 on the first).</param>
/// <param name="CpuTime">Total CPU time of the QEMU process (all threads, emulation overhead included).</param>
/// <param name="RssBytes">Resident memory of the QEMU process.</param>
/// <param name="Figures">Memory and the disk and network rates since the previous sample (rates 0 on the first).</param>
public sealed record VmUsage(VmId Vm, int Pid, double CpuLoad, TimeSpan CpuTime, long RssBytes, VmFigures? Figures = null);

/// <summary>The <see cref="INodeDriver"/> of ONE host (the agent's own): its VMs are QEMU processes driven over QMP, built
/// from the complete <see cref="VmRuntimeSpec"/> the caller gives (disk chain, boot media, console); it never looks
/// anything up elsewhere. Every VM has a folder under {data}/vms/{id} (spec, pid file, QMP socket, console log), so a
/// restarted agent re-adopts running QEMUs with <see cref="RecoverAsync"/> instead of killing them. Operations on one VM
/// are serialised; different VMs proceed in parallel. Live migration: the contract's prepare/migrate pair over shared
/// storage, or <see cref="MigrateToAsync(VmId, IMigrationTarget, MigrationStorage, IProgress{double}?, CancellationToken)"/>
/// to an <see cref="IMigrationTarget"/> (also without shared storage).</summary>
public sealed partial class QemuNodeDriver : INodeDriver, ISerialConsoleDriver, IGraphicalConsoleDriver, IFirewallDriver, IMigrationTarget, IAsyncDisposable
{
    private readonly QemuOptions _options;
    private readonly DirectKernelBoot? _defaultBoot;
    private readonly TimeProvider _time;
    private readonly QemuImg _qemuImg;
    private readonly SeedImage _seedImage = new();
    private readonly ITapPlumbing? _taps;
    private readonly ConcurrentDictionary<VmId, ManagedVm> _vms = new();

    /// <summary>Mutable runtime state of one VM on this host; the spec is immutable and replaced as a whole.</summary>
    private sealed class ManagedVm(VmFolder folder, QemuVmSpec spec)
    {
        public VmFolder Folder { get; } = folder;
        public QemuVmSpec Spec { get; set; } = spec;
        public QemuProcess? Process { get; set; }
        /// <summary>Launched with -incoming and not yet confirmed by the migration source.</summary>
        public bool Incoming { get; set; }
        /// <summary>Without shared storage: the local disk this host made to receive the VM's disk over NBD (removed
        /// again if the migration is aborted), else null.</summary>
        public string? ReceivedDisk { get; set; }
        /// <summary>The address the incoming QEMU listens on (shared storage), returned again to a replayed prepare.</summary>
        public string? IncomingUri { get; set; }
        /// <summary>Its vCPUs were stopped by a suspend.</summary>
        public bool Suspended { get; set; }
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public (TimeSpan Cpu, long Stamp)? LastCpuSample { get; set; }
        /// <summary>Disk and tap byte counters at the previous observation, for the rates of the next.</summary>
        public IoSample? LastIoSample { get; set; }
    }

    internal readonly record struct IoSample(long DiskRead, long DiskWritten, long TapReceived, long TapTransmitted, long Stamp);

    /// <param name="defaultBoot">What a VM whose spec names no boot media boots (the agent's --kernel/--initrd); null
    /// makes such specs a refusal.</param>
    /// <param name="taps">Makes and removes the VMs' taps (the host's network driver); null makes a spec with NICs a refusal.</param>
    public QemuNodeDriver(HostId host, QemuOptions options, DirectKernelBoot? defaultBoot, TimeProvider time, QemuImg? qemuImg = null,
        ITapPlumbing? taps = null)
    {
        _taps = taps;
        options.Validate();
        Host = host;
        _options = options;
        _defaultBoot = defaultBoot;
        _time = time;
        _qemuImg = qemuImg ?? new QemuImg();
        Directory.CreateDirectory(options.DataDir);
    }

    public string Name => "qemu";

    /// <summary>The host whose VMs this driver runs.</summary>
    public HostId Host { get; }

    /// <summary>Reads every VM folder: re-adopts QEMU processes still running (reconnecting QMP), records the others as
    /// stopped. Call once at agent start, before any other operation. A folder that cannot be read is left untouched and
    /// reported, never deleted.</summary>
    public async Task<IReadOnlyList<RecoveredVm>> RecoverAsync(CancellationToken ct)
    {
        var found = new List<RecoveredVm>();
        foreach (var folder in VmFolder.Enumerate(_options.DataDir))
        {
            QemuVmSpec spec;
            try
            {
                spec = folder.ReadSpec();
            }
            catch (Exception e) when (e is DriverException or IOException)
            {
                found.Add(new RecoveredVm(folder.Vm, RecoveryOutcome.Unreadable, e.Message));
                continue;
            }
            var vm = _vms.GetOrAdd(folder.Vm, _ => new ManagedVm(folder, spec));
            if (vm.Process is { IsAlive: true })
            {
                found.Add(new RecoveredVm(folder.Vm, RecoveryOutcome.Adopted, $"already managed (pid {vm.Process.Pid})"));
                continue;
            }
            try
            {
                var process = await QemuProcess.AdoptAsync(folder, _options, _time, ct);
                vm.Process = process;
                found.Add(process is null
                    ? new RecoveredVm(folder.Vm, RecoveryOutcome.Stopped, "no live QEMU for this folder")
                    : new RecoveredVm(folder.Vm, RecoveryOutcome.Adopted, $"QEMU pid {process.Pid} still running; QMP reconnected"));
            }
            catch (QmpConnectionException e)
            {
                found.Add(new RecoveredVm(folder.Vm, RecoveryOutcome.Unreadable, $"QEMU runs but its QMP socket does not answer: {e.Message}"));
            }
        }
        return found;
    }

    /// <summary>The NICs of every VM defined on this host (running, stopped or arriving), as their specs name them: what
    /// the host's network plumbing serves (DHCP hosts, firewall rules).</summary>
    public IReadOnlyList<TapPort> AllNics() => [.. _vms.Values.SelectMany(m => m.Spec.NicList)];

    /// <summary>VMs defined on this host (running or not).</summary>
    public IReadOnlyCollection<VmId> Vms => [.. _vms.Keys];

    // ---------------------------------------------------------------- lifecycle

    // ---------------------------------------------------------------- INodeDriver

    public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct) => CreateAsync(ToQemu(spec), ct);

    public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct)
    {
        var q = ToQemu(spec);
        return WithVmAsync(q.Id, async m =>
        {
            if (m.Process is not { IsAlive: true })
            {
                UseDisk(m, q.Disk);
                UseNics(m, q.NicList);
                UseSeed(m, q.Seed);
            }
            await EnsureRunningAsync(m, ct);
        }, ct);
    }

    public Task SuspendAsync(VmId vm, CancellationToken ct) => PauseAsync(vm, ct);

    /// <summary>Records the group on the VM's NICs (its spec.json, so later starts and migrations carry it) and has the
    /// host's plumbing re-render what it serves, which takes effect at once for a running VM.</summary>
    public Task ApplyIngressAsync(VmId vm, IReadOnlyList<IngressRule> ingress, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            UseNics(m, [.. m.Spec.NicList.Select(n => n with { Ingress = ingress })]);
            if (m.Spec.NicList.Count > 0 && _taps is not null) await _taps.RefreshAsync(ct);
        }, ct);

    public async Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct)
    {
        try
        {
            await SnapshotDiskAsync(vm, newActiveDisk, ct);
        }
        catch (Exception e) when (e is not DriverException and not OperationCanceledException)
        {
            throw new DriverException($"switching VM {vm} to the new disk {newActiveDisk} failed: {e.Message}", e);
        }
    }

    public async Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) =>
        new(Host, await PrepareIncomingAsync(ToQemu(spec), ct));

    /// <summary>Shared storage only: sends the VM to the QEMU the destination's <see cref="PrepareIncomingAsync(VmRuntimeSpec, CancellationToken)"/>
    /// started; the destination QEMU resumes the guest by itself and its driver takes it as its own on its next look.</summary>
    public async Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct)
    {
        if (!_vms.ContainsKey(vm)) return MigrationStats.Unknown; // gone from here: migrated already (a replay)
        var report = await MigrateToAsync(vm, new PreparedTarget(target), MigrationStorage.Shared, progress, ct);
        return new MigrationStats(report.TotalTime, report.Downtime);
    }

    /// <summary>The QEMU spec of a runtime spec: its boot disk (whose whole chain must be in place), the spec's boot media
    /// or this node's default, the console.</summary>
    private QemuVmSpec ToQemu(VmRuntimeSpec spec)
    {
        spec.Validate();
        if (spec.Disks.Count != 1)
            throw new DriverException($"VM {spec.Name}: the qemu driver attaches exactly one disk; the spec has {spec.Disks.Count}.");
        if (spec.Nics.Count > 0 && _taps is null)
            throw new DriverException($"VM {spec.Name}: host {Host} has no network plumbing configured; it cannot attach the spec's {spec.Nics.Count} NIC(s).");
        var disk = spec.Disks[0];
        if (disk.ReadOnly) throw new DriverException($"VM {spec.Name}: the qemu driver cannot boot from a read-only disk.");
        foreach (var file in disk.Chain.Skip(1))
            if (!File.Exists(file)) throw new DriverException($"VM {spec.Name}: backing file {file} of disk {disk.ActivePath} is missing from shared storage.");
        var boot = spec.Boot is { } b ? new DirectKernelBoot(b.Kernel, b.Initrd, b.CommandLine)
            : _defaultBoot ?? throw new DriverException($"VM {spec.Name}: the spec names no boot media and host {Host} has no default kernel.");
        var nics = spec.Nics.Select((n, i) => new TapPort(QemuVmSpec.TapName(spec.Id, i), n.Bridge, n.Mac,
            n is { Ip: { } ip, Subnet: { } subnet, Gateway: { } gateway, Domain: { } domain }
                ? new NicAddressing(n.Network, ip, subnet, gateway, domain, n.HostName ?? spec.Name, n.Vlan) : null, spec.Ingress)).ToList();
        return new QemuVmSpec(spec.Id, spec.Name, spec.Geometry.Cores, spec.Geometry.Memory, disk.ActivePath, boot, spec.Console.Serial,
            nics.Count == 0 ? null : nics, spec.Seed);
    }

    /// <summary>The destination prepared by <see cref="INodeDriver.PrepareIncomingAsync"/>: already listening; it completes
    /// by itself and is cleaned up by the caller (its DeleteAsync) on failure.</summary>
    private sealed class PreparedTarget(MigrationTarget target) : IMigrationTarget
    {
        public HostId Host => target.Host;
        public Task<string> PrepareIncomingAsync(QemuVmSpec spec, CancellationToken ct) => Task.FromResult(target.Uri);
        public Task<string> PrepareIncomingWithDiskCopyAsync(QemuVmSpec spec, long diskVirtualSize, CancellationToken ct) =>
            throw new DriverException("a prepared destination receives over shared storage only.");
        public Task<string> StartIncomingMigrationAsync(VmId vm, CancellationToken ct) =>
            throw new DriverException("a prepared destination receives over shared storage only.");
        public Task CompleteIncomingAsync(VmId vm, CancellationToken ct) => Task.CompletedTask;
        public Task AbortIncomingAsync(VmId vm, CancellationToken ct) => Task.CompletedTask;
    }

    // ---------------------------------------------------------------- lifecycle

    /// <summary>Defines the VM on this host (its folder and spec) and boots it. Creating a VM that already exists here
    /// starts it if it is stopped, and otherwise does nothing.</summary>
    public async Task CreateAsync(QemuVmSpec spec, CancellationToken ct)
    {
        spec.Validate();
        if (!File.Exists(spec.Disk)) throw new DriverException($"VM {spec.Name}: disk {spec.Disk} does not exist in shared storage.");
        var folder = new VmFolder(_options.DataDir, spec.Id);
        var vm = _vms.GetOrAdd(spec.Id, _ => new ManagedVm(folder, spec));
        await WithGateAsync(vm, async () =>
        {
            if (vm.Incoming) throw new DriverException($"VM {spec.Name} is arriving here by migration; it cannot be created meanwhile.");
            if (!folder.Exists)
            {
                folder.Create();
                folder.WriteSpec(spec);
                vm.Spec = spec;
            }
            else if (vm.Process is not { IsAlive: true })
            {
                UseDisk(vm, spec.Disk); // a replayed create of a stopped VM boots on the disk it is given, not a stale one
                UseNics(vm, spec.NicList);
                UseSeed(vm, spec.Seed);
            }
            await EnsureRunningAsync(vm, ct);
        }, ct);
    }

    /// <summary>Boots a stopped VM, resumes a paused one; nothing when it runs.</summary>
    public Task StartAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, m => EnsureRunningAsync(m, ct), ct);

    /// <summary>Like <see cref="StartAsync(VmId, CancellationToken)"/>, but a VM that is not running first moves onto
    /// <paramref name="disk"/> (recorded in its spec): the disk tree may have snapshotted, forked or reverted it while it
    /// was stopped, which freezes the file the spec named. A running VM keeps the disk it has open.</summary>
    public Task StartAsync(VmId vm, string disk, CancellationToken ct) => StartAsync(vm, disk, null, ct);

    /// <summary>Like <see cref="StartAsync(VmId, string, CancellationToken)"/>, and a VM that is not running also takes
    /// <paramref name="nics"/> (null keeps the NICs it has): the store's NICs may have changed while it was stopped.</summary>
    public Task StartAsync(VmId vm, string disk, IReadOnlyList<TapPort>? nics, CancellationToken ct) =>
        StartAsync(vm, disk, nics, keepSeed: true, seed: null, ct);

    /// <summary>Like <see cref="StartAsync(VmId, string, IReadOnlyList{TapPort}, CancellationToken)"/>, and unless
    /// <paramref name="keepSeed"/> a VM that is not running also takes <paramref name="seed"/> (null: none).</summary>
    public Task StartAsync(VmId vm, string disk, IReadOnlyList<TapPort>? nics, bool keepSeed, CloudInitSeed? seed, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (m.Process is not { IsAlive: true })
            {
                UseDisk(m, disk);
                if (nics is not null) UseNics(m, nics);
                if (!keepSeed) UseSeed(m, seed);
            }
            await EnsureRunningAsync(m, ct);
        }, ct);

    /// <summary>Presses the ACPI power button (system_powerdown) and waits for the guest to power off; after
    /// <see cref="QemuOptions.ShutdownTimeout"/> tells QEMU to quit, and kills it if even that fails. The VM stays
    /// defined here (its folder remains), so it can be started again.</summary>
    public Task StopAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (m.Process is null) return;
            if (m.Process.IsAlive)
            {
                if (!await PowerDownAsync(m.Process, ct)) await QuitOrKillAsync(m.Process, ct);
            }
            await ForgetProcessAsync(m);
            await UnplugAsync(m.Spec, ct);
        }, ct);

    /// <summary>Hard reset (system_reset), like the reset button; the guest boots again.</summary>
    public Task RebootAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m => await RequireProcess(m).Qmp.ExecuteAsync("system_reset", null, ct), ct);

    /// <summary>Freezes the guest's vCPUs (QMP stop); its memory stays allocated. Nothing when already paused.</summary>
    public Task PauseAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            await RequireProcess(m).Qmp.ExecuteAsync("stop", null, ct);
            m.Suspended = true;
        }, ct);

    /// <summary>Lets a paused guest run again (QMP cont). Nothing when it runs; refused when it is stopped.</summary>
    public Task ResumeAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            await RequireProcess(m).Qmp.ExecuteAsync("cont", null, ct);
            m.Suspended = false;
        }, ct);

    /// <summary>Kills the VM's QEMU (no graceful shutdown: the VM is going away) and removes its folder. The disk is
    /// left alone: the disk tree owns it. Deleting an unknown VM succeeds.</summary>
    public async Task DeleteAsync(VmId vm, CancellationToken ct)
    {
        if (!_vms.TryGetValue(vm, out var m))
        {
            new VmFolder(_options.DataDir, vm).Delete();
            return;
        }
        await WithGateAsync(m, async () =>
        {
            if (m.Process is not null) await m.Process.KillAsync(ct);
            await ForgetProcessAsync(m);
            await UnplugAsync(m.Spec, ct);
            m.Folder.Delete();
            if (m.Incoming && m.ReceivedDisk is not null) File.Delete(m.ReceivedDisk); // an arrival that never finished
            _vms.TryRemove(vm, out _);
        }, ct);
    }

    // ---------------------------------------------------------------- observation

    /// <summary>The VM's state from QEMU (query-status), or Stopped when no QEMU runs for it.</summary>
    public Task<QemuVmState> GetStateAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (m.Process is null || !m.Process.IsAlive)
            {
                await ForgetProcessAsync(m);
                return new QemuVmState(QemuRunState.Stopped, "stopped", null);
            }
            var status = await m.Process.Qmp.ExecuteAsync("query-status", null, ct);
            var word = status.GetProperty("status").GetString() ?? "unknown";
            return new QemuVmState(QemuVmState.Reduce(word), word, m.Process.Pid);
        }, ct);

    /// <summary>The last <paramref name="maxBytes"/> of the VM's serial console.</summary>
    public Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) =>
        ConsoleLog.ReadTailAsync(Known(vm).Folder.ConsoleLog, maxBytes, ct);

    /// <summary>Connects to the running VM's serial socket (<see cref="VmFolder.SerialSocket"/>). QEMU serves one console
    /// at a time: a second connection waits, silent, until the first closes. The stream ends when QEMU exits.</summary>
    public Task<Stream> OpenSerialAsync(VmId vm, string user, CancellationToken ct)
    {
        var m = Known(vm);
        RequireProcess(m);
        if (!File.Exists(m.Folder.SerialSocket))
            throw new DriverException($"VM {m.Spec.Name} was started without an interactive serial port (by an older agent); stop and start it to get one.");
        return ConnectAsync(m.Folder.SerialSocket, $"the serial port of VM {m.Spec.Name}", ct);
    }

    /// <summary>Connects to the running VM's VNC socket (<see cref="VmFolder.VncSocket"/>), which asks no password: whoever
    /// reaches the socket was authorised by the agent. QEMU serves several viewers at once (shared sessions). The stream
    /// ends when QEMU exits.</summary>
    public Task<Stream> OpenGraphicalAsync(VmId vm, string user, CancellationToken ct)
    {
        var m = Known(vm);
        RequireProcess(m);
        if (!m.Spec.Graphics || !File.Exists(m.Folder.VncSocket))
            throw new DriverException($"VM {m.Spec.Name} was started without a screen (by an older agent); stop and start it to get one.");
        return ConnectAsync(m.Folder.VncSocket, $"the screen of VM {m.Spec.Name}", ct);
    }

    private static async Task<Stream> ConnectAsync(string path, string what, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DriverException($"{what} cannot be reached ({e.Message}); is it still running?", e);
        }
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>The VM's spec as this host runs it (its disk changes with each snapshot).</summary>
    public QemuVmSpec GetSpec(VmId vm) => Known(vm).Spec;

    /// <summary>CPU and memory of the VM's QEMU process; null when it is not running. CPU load is the CPU time used since
    /// the previous call divided by the wall time and the vCPU count.</summary>
    public VmUsage? GetUsage(VmId vm)
    {
        var m = Known(vm);
        var p = m.Process;
        if (p is null) return null;
        var usage = ProcFs.Usage(p.Pid);
        if (usage is null) return null;
        var now = _time.GetTimestamp();
        var load = 0.0;
        if (m.LastCpuSample is { } last)
        {
            var wall = _time.GetElapsedTime(last.Stamp, now);
            if (wall > TimeSpan.Zero) load = (usage.CpuTime - last.Cpu) / wall / m.Spec.Cores;
        }
        m.LastCpuSample = (usage.CpuTime, now);
        return new VmUsage(vm, p.Pid, Math.Max(0, load), usage.CpuTime, usage.RssBytes, Figures(m, p.Pid, usage.RssBytes, now));
    }

    /// <summary>Memory (the QEMU process's resident set) and rates since the previous call: disk from the process's
    /// storage I/O counters, network from its taps' counters (a tap's receive is the guest's transmit). The first call
    /// after a start has no previous counters and reports rates of 0; a counter that went back (a new process) too.</summary>
    private VmFigures Figures(ManagedVm m, int pid, long rssBytes, long now)
    {
        var io = ProcFs.IoBytes(pid) ?? (0, 0);
        long tapRx = 0, tapTx = 0;
        foreach (var nic in m.Spec.NicList)
        {
            if (ProcFs.NetBytes(nic.Tap) is not { } n) continue;
            tapRx += n.Received;
            tapTx += n.Transmitted;
        }
        var sample = new IoSample(io.Read, io.Write, tapRx, tapTx, now);
        var last = m.LastIoSample;
        m.LastIoSample = sample;
        if (last is not { } l) return new VmFigures(rssBytes, 0, 0, 0, 0);
        var seconds = _time.GetElapsedTime(l.Stamp, now).TotalSeconds;
        double Rate(long a, long b) => seconds > 0 && a >= b ? (a - b) / seconds : 0;
        return new VmFigures(rssBytes, Rate(sample.DiskRead, l.DiskRead), Rate(sample.DiskWritten, l.DiskWritten),
            Rate(sample.TapTransmitted, l.TapTransmitted), Rate(sample.TapReceived, l.TapReceived));
    }

    /// <summary>This host and its VMs. The host's load is the VMs' QEMU CPU use over the host's processors. A VM that
    /// arrived by migration is taken as this host's own here (its QEMU runs); one still waiting is not listed.</summary>
    public async Task<NodeObservation> ObserveAsync(CancellationToken ct)
    {
        var vms = new List<VmObservation>();
        double busyCores = 0;
        foreach (var (id, m) in _vms)
        {
            if (m.Incoming && !await TrySettleArrivalAsync(m, ct)) continue;
            var usage = m.Process is { IsAlive: true } ? GetUsage(id) : null;
            if (usage is not null) busyCores += usage.CpuLoad * m.Spec.Cores;
            vms.Add(new VmObservation(id, usage is not null, usage is not null && m.Suspended, m.Suspended ? 0 : usage?.CpuLoad ?? 0, usage?.Figures));
        }
        return new NodeObservation(Host, HostPowerState.On, busyCores / Environment.ProcessorCount, vms);
    }

    /// <summary>An incoming VM whose QEMU runs (the source finished sending over shared storage) becomes an ordinary VM of
    /// this host. Skipped, not waited for, when an operation holds the VM.</summary>
    private async Task<bool> TrySettleArrivalAsync(ManagedVm m, CancellationToken ct)
    {
        if (!await m.Gate.WaitAsync(0, ct)) return false;
        try
        {
            await SettleArrivalAsync(m, ct);
            return !m.Incoming;
        }
        finally
        {
            m.Gate.Release();
        }
    }

    /// <summary>Under the VM's gate: see <see cref="TrySettleArrivalAsync"/>. A disk-copy arrival waits for its explicit
    /// completion (its QEMU is paused until then).</summary>
    private static async Task SettleArrivalAsync(ManagedVm m, CancellationToken ct)
    {
        if (!m.Incoming || m.ReceivedDisk is not null || m.Process is not { IsAlive: true } p) return;
        try
        {
            var status = (await p.Qmp.ExecuteAsync("query-status", null, ct)).GetProperty("status").GetString();
            if (status != "running") return;
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException)
        {
            return;
        }
        m.Incoming = false;
        m.IncomingUri = null;
    }

    // ---------------------------------------------------------------- snapshots

    /// <summary>Freezes the VM's current disk and continues on <paramref name="newActiveDisk"/>, a new qcow2 whose
    /// backing file is the old one. A running VM does it live (blockdev-snapshot-sync: the guest does not pause); a
    /// stopped one with qemu-img. The spec is updated, so later starts and migrations use the new disk.</summary>
    public Task<DiskSnapshot> SnapshotDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (!Path.IsPathRooted(newActiveDisk)) throw new DriverException($"snapshot target must be an absolute path; got '{newActiveDisk}'.");
            if (string.Equals(m.Spec.Disk, newActiveDisk, StringComparison.Ordinal))
                return new DiskSnapshot(vm, newActiveDisk, newActiveDisk); // switched already (a replay): nothing frozen now
            if (File.Exists(newActiveDisk)) throw new DriverException($"snapshot target {newActiveDisk} already exists; choose a new file name.");
            var frozen = m.Spec.Disk;
            if (m.Process is { IsAlive: true } p)
            {
                await p.Qmp.ExecuteAsync("blockdev-snapshot-sync", new JsonObject
                {
                    ["device"] = QemuCommandLine.DiskId,
                    ["snapshot-file"] = newActiveDisk,
                    ["format"] = "qcow2",
                    ["mode"] = "absolute-paths",
                }, ct);
            }
            else
            {
                await _qemuImg.CreateChildAsync(frozen, newActiveDisk, ct);
            }
            m.Spec = m.Spec with { Disk = newActiveDisk };
            m.Folder.WriteSpec(m.Spec);
            return new DiskSnapshot(vm, frozen, newActiveDisk);
        }, ct);

    // ---------------------------------------------------------------- helpers

    /// <summary>Points a VM that is not running at <paramref name="disk"/> and records it in its spec.json.</summary>
    private static void UseDisk(ManagedVm m, string disk)
    {
        if (!Path.IsPathRooted(disk)) throw new DriverException($"VM {m.Spec.Name}: disk must be an absolute path; got '{disk}'.");
        if (string.Equals(m.Spec.Disk, disk, StringComparison.Ordinal)) return;
        if (!File.Exists(disk)) throw new DriverException($"VM {m.Spec.Name}: disk {disk} does not exist in shared storage.");
        m.Spec = m.Spec with { Disk = disk };
        m.Folder.WriteSpec(m.Spec);
    }

    private async Task EnsureRunningAsync(ManagedVm m, CancellationToken ct)
    {
        if (m.Process is { IsAlive: true } p)
        {
            var status = (await p.Qmp.ExecuteAsync("query-status", null, ct)).GetProperty("status").GetString();
            if (status is "paused") await p.Qmp.ExecuteAsync("cont", null, ct);
            m.Suspended = false;
            return;
        }
        await ForgetProcessAsync(m);
        var argv = QemuCommandLine.Build(m.Spec, m.Folder, _options);
        await PlugAsync(m.Spec, ct);
        await WriteSeedAsync(m.Spec, m.Folder, ct);
        m.Process = await QemuProcess.LaunchAsync(m.Folder, argv, _options, _time, ct);
        m.LastCpuSample = null;
        m.LastIoSample = null;
    }

    /// <summary>Points a VM that is not running at <paramref name="nics"/> (the store's current NICs) and records them.</summary>
    private static void UseNics(ManagedVm m, IReadOnlyList<TapPort> nics)
    {
        if (m.Spec.NicList.SequenceEqual(nics)) return;
        m.Spec = m.Spec with { Nics = nics.Count == 0 ? null : nics };
        m.Folder.WriteSpec(m.Spec);
    }

    /// <summary>Points a VM that is not running at <paramref name="seed"/> (the server's current seed) and records it.</summary>
    private static void UseSeed(ManagedVm m, CloudInitSeed? seed)
    {
        if (m.Spec.Seed == seed) return;
        m.Spec = m.Spec with { Seed = seed };
        m.Folder.WriteSpec(m.Spec);
    }

    /// <summary>The start step that makes the cloud-init seed disk: the folder's seed.iso is written afresh from the spec
    /// right before its QEMU starts (and removed when the spec has none), so it always says what the spec says.</summary>
    private async Task WriteSeedAsync(QemuVmSpec spec, VmFolder folder, CancellationToken ct)
    {
        if (spec.Seed is { } seed) await _seedImage.WriteAsync(seed, folder.SeedImage, ct);
        else if (File.Exists(folder.SeedImage)) File.Delete(folder.SeedImage);
    }

    /// <summary>The VM's taps exist and are ports of their bridges: called right before its QEMU starts.</summary>
    private async Task PlugAsync(QemuVmSpec spec, CancellationToken ct)
    {
        if (spec.NicList.Count == 0) return;
        if (_taps is null) throw new DriverException($"VM {spec.Name}: host {Host} has no network plumbing configured; it cannot attach the VM's NICs.");
        await _taps.PlugAsync(spec.NicList, ct);
    }

    /// <summary>The VM's taps are gone: called once its QEMU has exited (stopped, deleted, migrated away).</summary>
    private async Task UnplugAsync(QemuVmSpec spec, CancellationToken ct)
    {
        if (spec.NicList.Count > 0 && _taps is not null) await _taps.UnplugAsync(spec.NicList, ct);
    }

    /// <summary>Presses the power button, again every few seconds: a guest that is still booting (or busy) may miss
    /// the first press, as a real machine's OS would. True when QEMU exited within the shutdown timeout.</summary>
    private async Task<bool> PowerDownAsync(QemuProcess p, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            await TryQmpAsync(p, "system_powerdown", null, ct);
            var left = _options.ShutdownTimeout - _time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero) return !p.IsAlive;
            if (await p.WaitForExitAsync(left < RepressInterval ? left : RepressInterval, ct)) return true;
        }
    }

    private static readonly TimeSpan RepressInterval = TimeSpan.FromSeconds(5);

    private async Task QuitOrKillAsync(QemuProcess p, CancellationToken ct)
    {
        await TryQmpAsync(p, "quit", null, ct);
        if (!await p.WaitForExitAsync(TimeSpan.FromSeconds(5), ct)) await p.KillAsync(ct);
    }

    private static async Task ForgetProcessAsync(ManagedVm m)
    {
        if (m.Process is null) return;
        await m.Process.DisposeAsync();
        m.Process = null;
        m.LastCpuSample = null;
        m.LastIoSample = null;
        m.Suspended = false;
    }

    /// <summary>Sends a command whose failure is not an error for the caller (the process may be exiting).</summary>
    private static async Task TryQmpAsync(QemuProcess p, string command, JsonObject? args, CancellationToken ct)
    {
        try
        {
            await p.Qmp.ExecuteAsync(command, args, ct);
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException or ObjectDisposedException)
        {
            // Best effort: the next step (waiting for exit, killing) decides.
        }
    }

    private static QemuProcess RequireProcess(ManagedVm m) =>
        m.Process is { IsAlive: true } p ? p : throw new DriverException($"VM {m.Spec.Name} is not running on this host; start it first.");

    /// <summary>Runs a read-only QMP query (e.g. query-block) on the VM's QEMU, over the driver's own connection (QMP
    /// takes one client at a time). For tests and diagnostics.</summary>
    internal Task<System.Text.Json.JsonElement> QueryAsync(VmId vm, string command, CancellationToken ct) =>
        WithVmAsync(vm, m => RequireProcess(m).Qmp.ExecuteAsync(command, null, ct), ct);

    private ManagedVm Known(VmId vm) =>
        _vms.TryGetValue(vm, out var m) ? m : throw new DriverException($"VM {vm} is not defined on host {Host}.");

    private async Task WithVmAsync(VmId vm, Func<ManagedVm, Task> action, CancellationToken ct)
    {
        var m = Known(vm);
        await WithGateAsync(m, async () => { await SettleArrivalAsync(m, ct); await action(m); }, ct);
    }

    private async Task<T> WithVmAsync<T>(VmId vm, Func<ManagedVm, Task<T>> action, CancellationToken ct)
    {
        var m = Known(vm);
        return await WithGateAsync(m, async () => { await SettleArrivalAsync(m, ct); return await action(m); }, ct);
    }

    private static async Task WithGateAsync(ManagedVm m, Func<Task> action, CancellationToken ct) =>
        await WithGateAsync(m, async () => { await action(); return 0; }, ct);

    private static async Task<T> WithGateAsync<T>(ManagedVm m, Func<Task<T>> action, CancellationToken ct)
    {
        await m.Gate.WaitAsync(ct);
        try
        {
            return await TranslateAsync(m, action);
        }
        finally
        {
            m.Gate.Release();
        }
    }

    /// <summary>QMP failures reach callers as <see cref="DriverException"/>s naming the VM.</summary>
    private static async Task<T> TranslateAsync<T>(ManagedVm m, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (QmpException e)
        {
            throw new DriverException($"VM {m.Spec.Name}: QEMU refused '{e.Command}': {e.Description}", e);
        }
        catch (QmpConnectionException e)
        {
            throw new DriverException($"VM {m.Spec.Name}: {e.Message}", e);
        }
    }

    /// <summary>Closes every QMP connection; the QEMU processes keep running (a new driver re-adopts them).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var m in _vms.Values) await ForgetProcessAsync(m);
        _vms.Clear();
    }
}
