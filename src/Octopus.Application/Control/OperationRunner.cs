using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Control;

/// <summary>Carries out journaled operations through the driver, several at a time but never two for the same VM,
/// oldest first. Each runs in its own store scope; the VM's state machine records the outcome. An operation whose VM
/// has meanwhile moved on (e.g. deleted while stopping) is finished without touching the VM.</summary>
public sealed partial class OperationRunner(IServiceScopeFactory scopes, INodeDriverResolver nodes, IPowerDriverResolver powers, RuntimeSpecs specs,
    Disks.VmDiskProvisioner disks, TimeProvider time, IControlSignal signal, Cluster.ReplicaLeadership leadership, Observability.IControlPlaneMetrics metrics,
    OperationProgressStore figures, ILogger<OperationRunner> log, IStepBoundaries? boundaries = null)
{
    private readonly IStepBoundaries _boundaries = boundaries ?? NoStepBoundaries.Instance;

    private const int MaxConcurrent = 16;
    private readonly ConcurrentDictionary<OperationId, Task> _inFlight = new();
    private readonly ConcurrentDictionary<Guid, byte> _busy = new(); // VM or host ids with an operation in flight

    public int InFlight => _inFlight.Count;

    /// <summary>The term a claim made now carries: the leader term this flow runs under (the control loop's), else the
    /// term this replica holds; 0 outside any term (a test driving the runner directly).</summary>
    private long ClaimTerm() => Octopus.Persistence.Leadership.LeaderFence.Current ?? leadership.Current?.Number ?? 0;

    /// <summary>When a replica begins a leader term (after a restart, or taking over from a leader that died or froze),
    /// operations that were running are run again (drivers are idempotent): their claims belong to an older term, whose
    /// holder can no longer write their outcome.</summary>
    public static async Task ResumeInterruptedAsync(OctopusDbContext db, CancellationToken ct)
    {
        var running = await db.Operations.Where(o => o.Status == OperationStatus.Running).ToListAsync(ct);
        foreach (var op in running) op.Requeue();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>How many due operations one dispatch reads, oldest first (<see cref="Operation.CreatedAt"/>, then id):
    /// enough to fill the <see cref="MaxConcurrent"/> slots past those whose VM (or host) already has an operation in
    /// flight. The rest waits in the store for the next pass; a pass that read a full batch and started something wakes
    /// the loop again at once (<see cref="IControlSignal.Wake"/>), so a long queue drains at the runner's pace, not one
    /// batch per control interval, while the store is never read whole.</summary>
    public const int DispatchBatch = 4 * MaxConcurrent;

    /// <summary>Starts pending operations that can start now, from a bounded batch (<see cref="DispatchBatch"/>): each
    /// chosen one is claimed (Running, this replica, the current term) and all the claims are written in one save before
    /// any starts, so a crash after the save leaves them Running for the next term to requeue, and one before it leaves
    /// them Pending. Returns how many were started.</summary>
    public async Task<int> DispatchAsync(OctopusDbContext db, CancellationToken ct)
    {
        if (_inFlight.Count >= MaxConcurrent) return 0;
        var now = time.GetUtcNow();
        var batch = await db.Operations
            .Where(o => o.Status == OperationStatus.Pending && (o.NotBefore == null || o.NotBefore <= now)) // a retry waits out its backoff
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
            .Take(DispatchBatch).ToListAsync(ct);
        var chosen = new List<(Operation Op, Guid Key)>();
        foreach (var op in batch)
        {
            if (_inFlight.Count + chosen.Count >= MaxConcurrent) break;
            if (_inFlight.ContainsKey(op.Id)) continue;
            var key = op.VmId?.Value ?? op.HostId?.Value ?? Guid.Empty;
            if (!_busy.TryAdd(key, 0)) continue; // one operation per VM (or host) at a time, in order
            chosen.Add((op, key));
        }
        if (chosen.Count == 0) return 0;
        foreach (var (op, _) in chosen) op.MarkRunning(leadership.ReplicaId, ClaimTerm());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            foreach (var (_, key) in chosen) _busy.TryRemove(key, out _);
            throw;
        }
        foreach (var (op, key) in chosen)
        {
            var id = op.Id;
            var task = Task.Run(() => RunOneAsync(id, ct), CancellationToken.None);
            _inFlight[id] = task;
            _ = task.ContinueWith(t =>
            {
                _inFlight.TryRemove(id, out var _);
                _busy.TryRemove(key, out _);
                signal.Wake();
            }, TaskScheduler.Default);
        }
        if (batch.Count == DispatchBatch && _inFlight.Count < MaxConcurrent) signal.Wake(); // more may be due past this batch
        return chosen.Count;
    }

    /// <summary>Makes sure <paramref name="op"/> is claimed by this replica before its driver is called: the dispatch
    /// normally claimed it already (one save for its batch); an operation found otherwise is claimed here, in its own save.</summary>
    private async Task ClaimAsync(OctopusDbContext db, Operation op, CancellationToken ct)
    {
        if (op.Status == OperationStatus.Running && op.ClaimHolder == leadership.ReplicaId) return;
        op.MarkRunning(leadership.ReplicaId, ClaimTerm());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Waits for every operation in flight (used at shutdown and by tests).</summary>
    public Task DrainAsync() => Task.WhenAll(_inFlight.Values);

    private async Task RunOneAsync(OperationId id, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var op = await db.Operations.FirstAsync(o => o.Id == id, ct);
            if (op.IsFinished) return;
            if (op.Kind == OperationKind.PublishNames)
            {
                await RunPublishNamesAsync(db, op, ct);
                return;
            }
            if (op.VmId is null)
            {
                await RunHostOperationAsync(db, op, ct);
                return;
            }
            if (op.Kind == OperationKind.RevertVm)
            {
                await RunRevertAsync(db, scope.ServiceProvider, op, ct);
                return;
            }
            var vm = op.VmId is { } vmId ? await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct) : null;
            if (vm is null || !Commands.OperationJournal.StillWanted(op, vm))
            {
                // The VM moved on (deleted, or another command superseded this one): nothing left to do. A suspend or
                // resume whose VM is no longer where it started fails, so the request waiting for it can say why.
                if (vm is not null && op.Kind is OperationKind.SuspendVm or OperationKind.ResumeVm
                    && vm.State != (op.Kind == OperationKind.SuspendVm ? VmState.Suspended : VmState.Running))
                    op.FailWith($"the VM is {vm.State} now", time.GetUtcNow());
                else if (op.Kind == OperationKind.RevertDisk)
                    op.FailWith($"the VM is {(vm is null ? "deleted" : vm.State.ToString())} now, so it was not reverted to '{op.Payload}'",
                        time.GetUtcNow(), "vm.revert-superseded");
                else op.Succeed(time.GetUtcNow());
                await db.SaveChangesAsync(ct);
                return;
            }
            await ClaimAsync(db, op, ct);
            _boundaries.Reached(op.Kind, "claimed");

            // Where the VM's NICs are changes with these: every host on their networks learns the names again once done.
            var named = op.Kind is OperationKind.CreateVm or OperationKind.MigrateVm or OperationKind.DeleteVm
                ? await db.Nics.AsNoTracking().Where(n => n.VmId == vm.Id).Select(n => n.NetworkId).Distinct().ToListAsync(ct)
                : [];
            string? error = null, code = null;
            // Migrations report how far they have got (in the store: see OperationProgressStore) for `vm migrate`'s bar.
            var reporter = op.Kind == OperationKind.MigrateVm ? await figures.BeginAsync(op.Id, ct) : null;
            try
            {
                await ExecuteAsync(db, scope.ServiceProvider, op, vm, reporter, ct);
            }
            catch (DriverException e)
            {
                error = e.Message;
            }
            catch (Octopus.Domain.DomainException e) when (op.Kind is OperationKind.SnapshotVm or OperationKind.CheckpointVm or OperationKind.ForkDisk or OperationKind.RevertDisk)
            {
                // The disk tree refused or its driver step failed; nothing changed (the tree rolls its intent back).
                (error, code) = (e.Message, e.Code);
            }
            catch (Octopus.Disks.Backends.DiskBackendException e) when (op.Kind is OperationKind.SnapshotVm or OperationKind.CheckpointVm or OperationKind.ForkDisk or OperationKind.RevertDisk)
            {
                (error, code) = ($"The disk storage could not complete the {(op.Kind switch { OperationKind.ForkDisk => "fork", OperationKind.CheckpointVm => "checkpoint", OperationKind.RevertDisk => "revert", _ => "snapshot" })}: {e.Message} " +
                    "The disk tree is unchanged.", "storage.failed");
            }
            if (reporter is not null) await figures.EndAsync(reporter, error is null, ct);
            _boundaries.Reached(op.Kind, "executed");

            await CompleteAsync(db, op.Id, vm.Id, error, code, named, ct);
            _boundaries.Reached(op.Kind, "completed");
            if (op.Kind == OperationKind.CreateVm && error is null) metrics.ObserveCreateToRunning(time.GetUtcNow() - vm.CreatedAt);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the operation stays Running and is resumed at the next start.
        }
        catch (Exception e)
        {
            LogCrashed(log, id.ToString(), e);
        }
    }

    /// <summary>Powers a host on or off and moves it to On/Off, recording each step on the operation. A power-off starts
    /// with a drain check: a host that still holds a VM (or one migrating onto it) is not switched off, it goes back to
    /// On. A failed power-off leaves the host On; a failed power-on marks it Failed with the reasons on the operation (a
    /// power-on asked again retries; heartbeats resuming bring an agent host back On by themselves).</summary>
    private async Task RunHostOperationAsync(OctopusDbContext db, Operation op, CancellationToken ct)
    {
        var host = await db.Hosts.FirstOrDefaultAsync(h => h.Id == op.HostId, ct);
        var on = op.Kind == OperationKind.PowerOnHost;
        var expected = on ? HostPowerState.PoweringOn : HostPowerState.PoweringOff;
        if (host is null || host.PowerState != expected)
        {
            op.Succeed(time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return;
        }
        await ClaimAsync(db, op, ct);
        _boundaries.Reached(op.Kind, "claimed");
        var steps = new OperationStepLog(db, op, time, _boundaries);
        string? error = null;
        try
        {
            if (!on && await DrainCheckAsync(db, host, ct) is { } held)
                error = held;
            else
            {
                if (!on) await steps.RecordAsync("drain check: no VM on the host", ct);
                var power = powers.For(host.Id);
                if (on) await power.PowerOnAsync(host.Id, steps, ct);
                else await power.PowerOffAsync(host.Id, steps, ct);
            }
        }
        catch (DriverException e)
        {
            error = e.Message;
        }
        if (error is not null && error.Length > 2000) error = error[..2000] + " …";
        _boundaries.Reached(op.Kind, "executed");
        var hostName = host.Name;
        await SaveWithRetryAsync(db, async now =>
        {
            var h = await db.Hosts.FirstAsync(x => x.Id == host.Id, ct);
            var o = await db.Operations.FirstAsync(x => x.Id == op.Id, ct);
            if (h.PowerState == expected)
            {
                var next = error is null ? (on ? HostPowerState.On : HostPowerState.Off) : (on ? HostPowerState.Failed : HostPowerState.On);
                h.MovePower(next, now);
                o.RecordStep(error is null ? $"host {next}"
                    : on ? $"power-on failed; host marked {next} (power it on again to retry): {error}"
                    : $"power-off failed; host back {next}: {error}", now);
            }
            if (error is null) o.Succeed(now); else o.FailWith(error, now);
        }, ct);
        _boundaries.Reached(op.Kind, "completed");
        if (error is not null) LogFailed(log, op.Kind.ToString(), hostName, error);
    }

    /// <summary>Journals a <see cref="OperationKind.PublishNames"/> for every host that has a VM with a NIC on one of
    /// <paramref name="networks"/>, where the host's driver serves names (<see cref="INetworkNamesDriver"/>), in the
    /// caller's unit of work: the one that records the VM operation's outcome, so no crash can fall between the two (a
    /// lost names update would leave dnsmasq answering stale names until something else republished them). The store
    /// still has the VM where it was before the outcome, so <paramref name="movedTo"/> (a migration's destination) is
    /// added; the host a VM left or was deleted from is in the query's answer and learns the names without it.</summary>
    private async Task JournalNamesAsync(OctopusDbContext db, IReadOnlyList<Domain.Networks.NetworkId> networks, HostId? movedTo, string actor,
        DateTimeOffset now, CancellationToken ct)
    {
        foreach (var network in networks)
        {
            var name = await db.Networks.AsNoTracking().Where(w => w.Id == network).Select(w => w.Name).FirstOrDefaultAsync(ct);
            if (name == default) continue;
            var hosts = (await db.Nics.AsNoTracking().Where(n => n.NetworkId == network).Join(db.Vms.AsNoTracking(), n => n.VmId, v => v.Id, (n, v) => v.HostId)
                .Where(h => h != null).Distinct().ToListAsync(ct)).Select(h => h!.Value).ToHashSet();
            if (movedTo is { } destination) hosts.Add(destination);
            foreach (var host in hosts.Where(ServesNames))
                await Commands.OperationJournal.BeginPublishNamesAsync(db, host, name.Value, actor, now, ct);
        }
    }

    private bool ServesNames(HostId host)
    {
        try { return nodes.For(host) is INetworkNamesDriver; }
        catch (DriverException) { return false; }
    }

    /// <summary>Has the operation's host answer the names of every NIC on the operation's network as the store has them
    /// now. A host gone, or whose driver serves no names, has nothing to do; a network deleted meanwhile publishes none.
    /// A host that cannot be reached (its agent down, say) is tried again after a backoff (<see cref="NamesRetryDelay"/>)
    /// until it answers, so its DNS does not keep stale names: the operation waits Pending with the last failure as its
    /// error. It ends failed only when a newer publication for the same host and network was journaled meanwhile (that
    /// one reads the names when it runs, so it carries this one's work), or for a network name the store cannot hold.</summary>
    private async Task RunPublishNamesAsync(OctopusDbContext db, Operation op, CancellationToken ct)
    {
        await ClaimAsync(db, op, ct);
        _boundaries.Reached(op.Kind, "claimed");
        var network = op.Payload ?? "";
        string? error = null;
        var retry = false;
        try
        {
            var networkName = Domain.Networks.NetworkName.Parse(network, "network");
            var names = await db.Nics.AsNoTracking().Join(db.Networks.AsNoTracking().Where(w => w.Name == networkName),
                    n => n.NetworkId, w => w.Id, (n, w) => new { n.Address, n.HostName }).ToListAsync(ct);
            var host = op.HostId is { } h && await db.Hosts.AsNoTracking().AnyAsync(x => x.Id == h, ct) ? h : (HostId?)null;
            if (host is not null && nodes.For(host.Value) is INetworkNamesDriver driver)
            {
                await driver.PublishNamesAsync(network, [.. names.OrderBy(n => n.Address).Select(n => new NetworkHostName(n.Address.ToString(), n.HostName))], ct);
                op.RecordStep($"published {names.Count} name(s) of network {network}", time.GetUtcNow());
            }
            else op.RecordStep("nothing to publish: the host is gone or its driver serves no names", time.GetUtcNow());
        }
        catch (DriverException e)
        {
            (error, retry) = (e.Message, true);
        }
        catch (Domain.DomainException e)
        {
            error = e.Message;
        }
        _boundaries.Reached(op.Kind, "executed");
        var now = time.GetUtcNow();
        if (error is null) op.Succeed(now);
        else if (retry && await NewerPublicationAsync(db, op, ct) is { } newer)
        {
            op.RecordStep($"attempt {op.Attempts} failed; not retried: operation {newer}, journaled since, publishes the names as they are now", now);
            op.FailWith(error, now, "names.superseded");
        }
        else if (retry)
        {
            var at = now + NamesRetryDelay(op.Attempts);
            op.RecordStep($"attempt {op.Attempts} failed; next attempt at {at.UtcDateTime:HH:mm:ss} UTC: {error}", now);
            op.RetryAt(error, at);
        }
        else op.FailWith(error, now);
        await db.SaveChangesAsync(ct);
        _boundaries.Reached(op.Kind, "completed");
        if (error is not null) LogFailed(log, op.Kind.ToString(), network, error);
    }

    /// <summary>How long a failed names publication waits before attempt <paramref name="attempts"/> + 1: 1 s, doubling
    /// each time, at most 5 minutes (a host down for long is asked a dozen times an hour, and learns the names within
    /// 5 minutes of coming back).</summary>
    public static TimeSpan NamesRetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Clamp(attempts - 1, 0, 16))));

    /// <summary>The id of a publication of the same network on the same host journaled after <paramref name="op"/> and
    /// still waiting, if any.</summary>
    private static async Task<OperationId?> NewerPublicationAsync(OctopusDbContext db, Operation op, CancellationToken ct) =>
        await db.Operations.AsNoTracking().Where(o => o.Kind == OperationKind.PublishNames && o.HostId == op.HostId && o.Payload == op.Payload
                && o.Id != op.Id && o.Status == OperationStatus.Pending)
            .Select(o => (OperationId?)o.Id).FirstOrDefaultAsync(ct);

    /// <summary>Stop, revert, start (<see cref="OperationKind.RevertVm"/>). Each step begins from the state the VM is in,
    /// and each ends by saving the VM's new state with the step recorded on the operation, so a replay after a restart
    /// resumes where it was: Stopping → stop (the driver's stop is idempotent) → Stopped → revert (recorded as
    /// "revert:"; a replay that finds it recorded does not revert again, and one interrupted between the disk tree's commit
    /// and the record reverts once more onto an equal fresh child of the same snapshot, the VM not having run since) →
    /// Starting → start → Running. Compensation: a failed stop fails the VM as a stop does and reverts nothing; a failed
    /// revert leaves the VM Stopped on the disk it had, saying why, and starts nothing; a failed start fails the VM on the
    /// reverted disk. A VM that another command moved elsewhere meanwhile (deleted, say) ends the operation as failed,
    /// naming its state.</summary>
    private async Task RunRevertAsync(OctopusDbContext db, IServiceProvider services, Operation op, CancellationToken ct)
    {
        var vmId = op.VmId!.Value;
        var name = Octopus.Disks.Model.SnapshotName.Parse(op.Payload, "name");
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);
        if (vm is null || !Commands.OperationJournal.StillWanted(op, vm))
        {
            await FinishRevertAsync(db, op.Id, vmId, $"the VM is {(vm is null ? "deleted" : vm.State.ToString())} now, so it was not reverted to '{name}'",
                "vm.revert-superseded", (_, _) => { }, ct);
            return;
        }
        await ClaimAsync(db, op, ct);
        _boundaries.Reached(op.Kind, "claimed");
        var reverted = op.StepLines().Any(s => s.Text.StartsWith("revert:", StringComparison.Ordinal));
        var host = vm.HostId!.Value;

        if (vm.State == VmState.Stopping)
        {
            try
            {
                await nodes.For(host).StopAsync(vmId, ct);
            }
            catch (DriverException e)
            {
                await FinishRevertAsync(db, op.Id, vmId, $"the VM could not be stopped, so it was not reverted to '{name}': {e.Message}",
                    "vm.stop-failed", (v, now) => { if (v.State == VmState.Stopping) v.Fail($"stop before the revert to '{name}' failed: {e.Message}", now); }, ct);
                return;
            }
            if (!await StepAsync(db, op.Id, vmId, "stop: the VM is stopped", v => v.State == VmState.Stopping, (v, now) => v.CompleteOperation(now), ct))
                return;
        }

        if (!reverted)
        {
            var disks = services.GetRequiredService<Octopus.Disks.Services.DiskServices>();
            string? error = null, code = null;
            Octopus.Disks.Model.Disk? leaf = null;
            try
            {
                leaf = await disks.Tree.RevertAsync(vmId, name, ct);
            }
            catch (Octopus.Domain.DomainException e)
            {
                (error, code) = (e.Message, e.Code);
            }
            catch (Octopus.Disks.Backends.DiskBackendException e)
            {
                (error, code) = ($"the disk storage could not make the new disk: {e.Message}", "storage.failed");
            }
            if (error is not null)
            {
                var reason = $"the revert to '{name}' failed, so the VM stays stopped on the disk it had and was not started: {error}";
                if (reason.Length > 1000) reason = reason[..1000] + " …"; // the VM's status reason holds 1,024 characters
                await FinishRevertAsync(db, op.Id, vmId, reason, code, (v, _) => { if (v.State == VmState.Stopped) v.ExplainStopped(reason); }, ct);
                return;
            }
            // A start asked for meanwhile (Starting) has not run: it waits for this operation.
            if (!await StepAsync(db, op.Id, vmId, $"revert: continued from '{name}' on disk {leaf!.Id}",
                v => v.State is VmState.Stopped or VmState.Starting, (v, now) => v.RequestStart(now), ct))
                return;
        }
        else if (!await StepAsync(db, op.Id, vmId, null, v => v.State is VmState.Stopped or VmState.Starting, (v, now) => v.RequestStart(now), ct))
        {
            return;
        }

        try
        {
            var current = await db.Vms.AsNoTracking().FirstAsync(v => v.Id == vmId, ct);
            await nodes.For(host).StartAsync(await specs.BuildAsync(current, ct), ct);
        }
        catch (DriverException e)
        {
            await FinishRevertAsync(db, op.Id, vmId, $"the VM was reverted to '{name}' but could not be started: {e.Message}", "vm.start-failed",
                (v, now) => { if (v.State == VmState.Starting) v.Fail($"start after the revert to '{name}' failed: {e.Message}; start it again", now); }, ct);
            return;
        }
        _boundaries.Reached(OperationKind.RevertVm, "executed");
        await FinishRevertAsync(db, op.Id, vmId, null, null, (v, now) =>
        {
            if (v.State == VmState.Starting) v.CompleteOperation(now);
        }, ct, "start: the VM runs on the reverted disk");
        _boundaries.Reached(OperationKind.RevertVm, "completed");
    }

    /// <summary>Saves one step of a revert: when the VM is still as <paramref name="expected"/> says, applies
    /// <paramref name="change"/> and records <paramref name="step"/>; otherwise fails the operation naming the VM's state.
    /// Returns whether the revert goes on.</summary>
    private async Task<bool> StepAsync(OctopusDbContext db, OperationId opId, VmId vmId, string? step, Func<Vm, bool> expected,
        Action<Vm, DateTimeOffset> change, CancellationToken ct)
    {
        var ok = false;
        await SaveWithRetryAsync(db, async now =>
        {
            var op = await db.Operations.FirstAsync(o => o.Id == opId, ct);
            var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);
            ok = vm is not null && expected(vm);
            if (ok)
            {
                change(vm!, now);
                if (step is not null) op.RecordStep(step, now);
            }
            else op.FailWith($"the VM is {(vm is null ? "deleted" : vm.State.ToString())} now; the revert stopped there", now, "vm.revert-superseded");
        }, ct);
        if (ok) _boundaries.Reached(OperationKind.RevertVm, "step");
        return ok;
    }

    /// <summary>Ends a revert: applies <paramref name="change"/> to the VM (when it still exists) and marks the operation
    /// succeeded (<paramref name="error"/> null, recording <paramref name="step"/>) or failed with the error, recorded as its last step too.</summary>
    private async Task FinishRevertAsync(OctopusDbContext db, OperationId opId, VmId vmId, string? error, string? code,
        Action<Vm, DateTimeOffset> change, CancellationToken ct, string? step = null)
    {
        await SaveWithRetryAsync(db, async now =>
        {
            var op = await db.Operations.FirstAsync(o => o.Id == opId, ct);
            if (await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct) is { } vm) change(vm, now);
            if (error is null)
            {
                if (step is not null) op.RecordStep(step, now);
                op.Succeed(now);
            }
            else
            {
                op.RecordStep("failed: " + error, now);
                op.FailWith(error.Length > 2000 ? error[..2000] + " …" : error, now, code);
            }
        }, ct);
        if (error is not null) LogFailed(log, nameof(OperationKind.RevertVm), vmId.ToString(), error);
    }

    /// <summary>Null when nothing holds the host; otherwise why it must not be switched off, naming the VMs.</summary>
    private static async Task<string?> DrainCheckAsync(OctopusDbContext db, Host host, CancellationToken ct)
    {
        var on = await db.Vms.AsNoTracking().Where(v => v.HostId == host.Id).Select(v => v.Name).ToListAsync(ct);
        var incoming = await db.Operations.AsNoTracking().Where(o => o.Kind == OperationKind.MigrateVm && o.TargetHostId == host.Id
            && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running)).Select(o => o.VmId).ToListAsync(ct);
        var names = on.Select(n => n.Value).ToList();
        if (incoming.Count > 0)
        {
            var ids = incoming.Where(i => i is not null).Select(i => i!.Value).ToList();
            names.AddRange((await db.Vms.AsNoTracking().Where(v => ids.Contains(v.Id)).Select(v => v.Name).ToListAsync(ct)).Select(n => n.Value + " (migrating in)"));
        }
        if (names.Count == 0) return null;
        names.Sort(StringComparer.Ordinal);
        return $"drain check: host {host.Name} still holds {names.Count} VM(s) ({string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", …" : "")}); " +
            "it was not switched off. Move them away (maintenance) or delete them, then power it off.";
    }

    /// <summary>Writes a power sequence's steps onto its operation as they happen.</summary>
    private sealed class OperationStepLog(OctopusDbContext db, Operation op, TimeProvider time, IStepBoundaries boundaries) : IPowerStepLog
    {
        public async Task RecordAsync(string step, CancellationToken ct)
        {
            op.RecordStep(step, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            boundaries.Reached(op.Kind, "step");
        }
    }

    private async Task ExecuteAsync(OctopusDbContext db, IServiceProvider services, Operation op, Vm vm, IProgress<double>? progress, CancellationToken ct)
    {
        switch (op.Kind)
        {
            case OperationKind.CreateVm:
                await disks.EnsureAsync(vm, db, ct);
                await nodes.For(vm.HostId!.Value).CreateAsync(await specs.BuildAsync(vm, ct), ct);
                break;
            case OperationKind.StartVm:
                await nodes.For(vm.HostId!.Value).StartAsync(await specs.BuildAsync(vm, ct), ct);
                break;
            case OperationKind.StopVm:
                await nodes.For(vm.HostId!.Value).StopAsync(vm.Id, ct);
                break;
            case OperationKind.RebootVm:
                await nodes.For(vm.HostId!.Value).RebootAsync(vm.Id, ct);
                break;
            case OperationKind.DeleteVm:
                // A VM that never reached a node keeps its disk for the collector to release (as before).
                if (vm.HostId is not { } host) break;
                await nodes.For(host).DeleteAsync(vm.Id, ct);
                await disks.ReleaseAsync(vm.Id, ct);
                break;
            case OperationKind.MigrateVm:
                await MigrateAsync(vm, op.TargetHostId!.Value, progress, ct);
                break;
            case OperationKind.SuspendVm:
                await nodes.For(vm.HostId!.Value).SuspendAsync(vm.Id, ct);
                break;
            case OperationKind.ResumeVm:
                await nodes.For(vm.HostId!.Value).ResumeAsync(vm.Id, ct);
                break;
            case OperationKind.SnapshotVm:
                await SnapshotAsync(db, services, op, vm, ct);
                break;
            case OperationKind.CheckpointVm:
                await CheckpointAsync(services, op, vm, ct);
                break;
            case OperationKind.RevertDisk:
                await RevertDiskAsync(db, services, op, vm, ct);
                break;
            case OperationKind.ForkDisk:
                await ForkDiskAsync(db, services, op, vm, ct);
                break;
            case OperationKind.ApplyFirewall:
                var node = nodes.For(vm.HostId!.Value);
                var firewall = node as IFirewallDriver
                    ?? throw new DriverException($"the {node.Name} driver of the VM's host cannot enforce security groups; the rules are kept and apply where it runs next.");
                await firewall.ApplyIngressAsync(vm.Id, await specs.IngressAsync(vm.Id, ct), ct);
                break;
            case OperationKind.PowerOnHost or OperationKind.PowerOffHost:
                throw new InvalidOperationException($"{op.Kind} is not a VM operation");
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, null);
        }
    }

    /// <summary>Snapshots the VM's disk under the operation's name: live (the driver switches the running VM onto its new
    /// leaf, the disk tree journals and commits around it) when the VM runs where a hypervisor holds the file, as files
    /// otherwise (it may have stopped since the request). Before the disk tree is asked, the operation records which disk
    /// it freezes (<see cref="FreezeStep"/>), so a replay after a crash that came once the tree had committed (or once the
    /// start-up recovery rolled an interrupted live switch forward) finds its own snapshot and is done: it neither fails
    /// with "already has a snapshot named" nor freezes the VM's next leaf as a second overlay. A snapshot of that name on
    /// any other disk is someone else's, and the tree refuses it as before.</summary>
    private async Task SnapshotAsync(OctopusDbContext db, IServiceProvider services, Operation op, Vm vm, CancellationToken ct)
    {
        var disks = services.GetRequiredService<Octopus.Disks.Services.DiskServices>();
        var name = Octopus.Disks.Model.SnapshotName.Parse(op.Payload, "name");
        var chain = await disks.Queries.DisksOfAsync(vm.Id, ct);
        var taken = chain.FirstOrDefault(d => d.Role == Octopus.Disks.Model.DiskRole.Snapshot && d.Name == name);
        if (taken is not null && op.StepLines().Any(s => s.Text == FreezeStep(taken.Id, name)))
        {
            op.RecordStep($"snapshot: '{name}' was taken before the restart (disk {taken.Id}); nothing more to do", time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return;
        }
        if (taken is null && chain.FirstOrDefault(d => d.Role == Octopus.Disks.Model.DiskRole.Active) is { } leaf)
        {
            op.RecordStep(FreezeStep(leaf.Id, name), time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            _boundaries.Reached(op.Kind, "step");
        }
        var live = DiskSwitchStep.For(vm, services.GetRequiredService<Disks.LiveDiskSwitching>(), nodes, services.GetRequiredService<Disks.StorageSettings>());
        if (live is not null) await disks.Tree.SnapshotLiveAsync(vm.Id, name, live, ct);
        else await disks.Tree.SnapshotAsync(vm.Id, name, ct);
    }

    /// <summary>Continues a stopped VM from the snapshot the operation names. The leaf it abandons is recorded first
    /// (<see cref="AbandonStep"/>); a replay that finds the VM on another leaf than the one recorded was reverted before
    /// the crash and has nothing left to do.</summary>
    private async Task RevertDiskAsync(OctopusDbContext db, IServiceProvider services, Operation op, Vm vm, CancellationToken ct)
    {
        var disks = services.GetRequiredService<Octopus.Disks.Services.DiskServices>();
        var name = Octopus.Disks.Model.SnapshotName.Parse(op.Payload, "name");
        var leaf = await Disks.VmDisks.ActiveAsync(disks, vm.Id, ct)
            ?? throw Octopus.Domain.DomainException.NotFound("disk of VM", vm.Name.Value);
        var recorded = op.StepLines().Select(s => s.Text).LastOrDefault(t => t.StartsWith("revert: abandons disk ", StringComparison.Ordinal));
        if (recorded is not null && recorded != AbandonStep(leaf.Disk.Id, name))
        {
            op.RecordStep($"revert: continued from '{name}' before the restart (disk {leaf.Disk.Id}); nothing more to do", time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return;
        }
        if (recorded is null)
        {
            op.RecordStep(AbandonStep(leaf.Disk.Id, name), time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            _boundaries.Reached(op.Kind, "step");
        }
        var created = await disks.Tree.RevertAsync(vm.Id, name, ct);
        op.RecordStep($"revert: continued from '{name}' on disk {created.Id}", time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    private static string AbandonStep(Octopus.Disks.Model.DiskId leaf, Octopus.Disks.Model.SnapshotName name) =>
        $"revert: abandons disk {leaf} for a new child of '{name}'";

    /// <summary>Takes a policy's checkpoint under the operation's name (live or as files, as <see cref="SnapshotAsync"/>),
    /// then applies the policy's retention. Both steps are idempotent: a run resumed after a crash finds the checkpoint it
    /// already took, and releasing what the retention does not keep twice releases nothing more.</summary>
    private async Task CheckpointAsync(IServiceProvider services, Operation op, Vm vm, CancellationToken ct)
    {
        var disks = services.GetRequiredService<Octopus.Disks.Services.DiskServices>();
        var payload = CheckpointPayload.Parse(op.Payload);
        var name = Octopus.Disks.Model.SnapshotName.Parse(payload.Name, "name");
        var live = DiskSwitchStep.For(vm, services.GetRequiredService<Disks.LiveDiskSwitching>(), nodes, services.GetRequiredService<Disks.StorageSettings>());
        await disks.Checkpoints.CheckpointAsync(vm.Id, name, payload.Policy, live, ct);
        if (payload.KeepLast is not null || payload.NewerThan is not null)
            await disks.Checkpoints.ApplyRetentionAsync(vm.Id, new Octopus.Disks.Services.CheckpointRetention(payload.KeepLast, payload.NewerThan), ct);
    }

    /// <summary>The step a snapshot records before the disk tree freezes <paramref name="leaf"/> as <paramref name="name"/>.</summary>
    private static string FreezeStep(Octopus.Disks.Model.DiskId leaf, Octopus.Disks.Model.SnapshotName name) =>
        $"snapshot: freezing disk {leaf} as '{name}'";

    /// <summary>Makes a forked VM's disk: a new child of the source's current state (the source continues on its own new
    /// child, switched by its driver when it runs where a hypervisor holds the file). Idempotent: a fork that already has
    /// its disk (a replay after a crash) is done.</summary>
    private async Task ForkDiskAsync(OctopusDbContext db, IServiceProvider services, Operation op, Vm fork, CancellationToken ct)
    {
        var disks = services.GetRequiredService<Octopus.Disks.Services.DiskServices>();
        if (await Disks.VmDisks.ActiveAsync(disks, fork.Id, ct) is not null) return;
        var payload = ForkPayload.Parse(op.Payload);
        var source = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == payload.Source, ct)
            ?? throw Octopus.Domain.DomainException.Conflict("vm.fork-source-gone", $"The VM that {fork.Name} forks was deleted before its disk was forked.");
        var size = payload.Size;
        if (size is { } s && await Disks.VmDisks.ActiveAsync(disks, source.Id, ct) is { } active && s <= active.Disk.VirtualSize) size = null;
        var live = DiskSwitchStep.For(source, services.GetRequiredService<Disks.LiveDiskSwitching>(), nodes, services.GetRequiredService<Disks.StorageSettings>());
        if (live is not null) await disks.Tree.ForkLiveAsync(source.Id, fork.Id, fork.OwnerId, size, live, ct);
        else await disks.Tree.ForkAsync(source.Id, fork.Id, fork.OwnerId, size, ct);
    }

    /// <summary>The destination waits for the VM, the source sends it; if sending fails the VM keeps running on the source
    /// and the destination forgets the waiting VM (its compensation).</summary>
    private async Task MigrateAsync(Vm vm, HostId destination, IProgress<double>? progress, CancellationToken ct)
    {
        var source = nodes.For(vm.HostId!.Value);
        var target = nodes.For(destination);
        // Resumed after a crash that came once the VM had moved but before the move was recorded: the destination runs
        // it already, so only the record is left to write (migrating it "again" would be refused by the destination).
        if ((await target.ObserveAsync(ct)).Vms.Any(v => v.Vm == vm.Id && v.Running)) return;
        var waiting = await target.PrepareIncomingAsync(await specs.BuildAsync(vm, ct), ct);
        MigrationStats stats;
        try
        {
            stats = await source.MigrateAsync(vm.Id, waiting, progress, ct);
        }
        catch (DriverException)
        {
            try { await target.DeleteAsync(vm.Id, CancellationToken.None); }
            catch (DriverException e) { LogFailed(log, "MigrateVm compensation", vm.Id.ToString(), e.Message); }
            throw;
        }
        if (progress is IProgress<MigrationStats> costs) costs.Report(stats);
    }

    /// <summary>Records the outcome on the VM and the operation, retrying on concurrent changes to the VM (a user may
    /// have sent another command meanwhile). On success, <c>named</c> (the networks of the VM's NICs, for a create, a
    /// migration or a delete) have their names served elsewhere now, so their publication is journaled in the same save
    /// (<see cref="JournalNamesAsync"/>).</summary>
    private async Task CompleteAsync(OctopusDbContext db, OperationId opId, VmId vmId, string? error, string? code,
        IReadOnlyList<Domain.Networks.NetworkId> named, CancellationToken ct)
    {
        var kind = "";
        await SaveWithRetryAsync(db, async now =>
        {
            var op = await db.Operations.FirstAsync(o => o.Id == opId, ct);
            var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, ct);
            kind = op.Kind.ToString();
            if (vm is not null && Commands.OperationJournal.StillWanted(op, vm))
            {
                if (op.Kind is OperationKind.SnapshotVm or OperationKind.CheckpointVm or OperationKind.ApplyFirewall or OperationKind.RevertDisk)
                {
                    // The disk tree (or the operation's error) records the outcome; the VM's state is not their business.
                }
                else if (op.Kind == OperationKind.ForkDisk)
                {
                    // A fork without its disk is useless: take it back through the normal delete (journaled just below).
                    if (error is not null) vm.RequestDelete(now);
                }
                else if (op.Kind is OperationKind.SuspendVm or OperationKind.ResumeVm)
                {
                    // No transitional state: on failure the VM stays as it was (the waiting request reports the error).
                    if (error is null && op.Kind == OperationKind.SuspendVm) vm.Suspend(now, op.Reason);
                    else if (error is null) vm.Resume(now);
                }
                else if (error is not null)
                {
                    if (op.Kind == OperationKind.MigrateVm) vm.AbortMigration(error, now);
                    else vm.Fail($"{op.Kind} failed: {error}", now);
                }
                else if (op.Kind == OperationKind.MigrateVm) vm.CompleteMigration(op.TargetHostId!.Value, now);
                else vm.CompleteOperation(now);

                if (op.Kind == OperationKind.DeleteVm && error is null)
                {
                    db.Vms.Remove(vm);
                    // Tracked, not ExecuteDelete: it commits (fenced by the term) with the VM's removal, or not at all.
                    if (await db.Placements.FirstOrDefaultAsync(p => p.VmId == vm.Id, ct) is { } placement) db.Placements.Remove(placement);
                }
                else
                {
                    await Commands.OperationJournal.EnsureAsync(db, vm, op.Actor, now, ct); // e.g. created, but meanwhile asked to stop
                }
            }
            if (error is null) op.Succeed(now); else op.FailWith(error, now, code);
            if (error is null && named.Count > 0)
                await JournalNamesAsync(db, named, op.Kind == OperationKind.MigrateVm ? op.TargetHostId : null, op.Actor, now, ct);
        }, ct);
        if (error is not null) LogFailed(log, kind, vmId.ToString(), error);
    }

    /// <summary>Re-reads, applies and saves an outcome, again when a concurrent change (a user's command meanwhile)
    /// makes the save conflict; <paramref name="apply"/> must load what it changes, as the tracker is cleared first.</summary>
    private async Task SaveWithRetryAsync(OctopusDbContext db, Func<DateTimeOffset, Task> apply, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            await apply(time.GetUtcNow());
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} of {Target} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string kind, string target, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "operation {Operation} crashed")]
    private static partial void LogCrashed(ILogger logger, string operation, Exception e);
}
