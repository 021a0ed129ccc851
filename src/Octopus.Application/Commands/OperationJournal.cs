using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Host = Octopus.Domain.Hosts.Host;
using Octopus.Domain.Vms;
using Octopus.Persistence;

namespace Octopus.Application.Commands;

/// <summary>Writes the durable operation that takes a VM out of a transitional state, in the same unit of work as the
/// state change, so a crash can never leave a VM "Starting" with nothing to start it.</summary>
public static class OperationJournal
{
    /// <summary>The operation that completes <paramref name="state"/>, or null for stable states.</summary>
    public static OperationKind? KindFor(VmState state) => state switch
    {
        VmState.Creating => OperationKind.CreateVm,
        VmState.Starting => OperationKind.StartVm,
        VmState.Stopping => OperationKind.StopVm,
        VmState.Rebooting => OperationKind.RebootVm,
        VmState.Deleting => OperationKind.DeleteVm,
        VmState.Migrating => OperationKind.MigrateVm,
        VmState.Pending or VmState.Running or VmState.Stopped or VmState.Failed or VmState.Suspended => null,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Whether <paramref name="op"/> still has work to do on <paramref name="vm"/> as it is now: the VM is in the
    /// transitional state the operation completes or, for suspend and resume (which have no transitional state), in the
    /// state they start from.</summary>
    public static bool StillWanted(Operation op, Vm vm) => op.Kind switch
    {
        OperationKind.SuspendVm => vm.State == VmState.Running,
        OperationKind.ResumeVm => vm.State == VmState.Suspended,
        OperationKind.SnapshotVm or OperationKind.CheckpointVm => true,
        OperationKind.RevertVm => vm.State is VmState.Stopping or VmState.Stopped or VmState.Starting,
        OperationKind.RevertDisk => vm.State is VmState.Stopped or VmState.Starting,
        OperationKind.ForkDisk => vm.State is VmState.Pending or VmState.Creating,
        OperationKind.ApplyFirewall => vm.State is VmState.Running or VmState.Suspended && vm.HostId is not null,
        _ => KindFor(vm.State) == op.Kind,
    };

    /// <summary>Journals a suspend (<paramref name="suspend"/>) or resume of <paramref name="vm"/>, or returns the one
    /// already waiting; the VM changes state only when the runner has had the driver do it.</summary>
    public static async Task<Operation> BeginPauseChangeAsync(OctopusDbContext db, Vm vm, bool suspend, string actor, string? reason,
        DateTimeOffset now, CancellationToken ct)
    {
        var kind = suspend ? OperationKind.SuspendVm : OperationKind.ResumeVm;
        var waiting = await db.Operations.FirstOrDefaultAsync(o => o.VmId == vm.Id && o.Kind == kind &&
            (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running), ct);
        if (waiting is not null) return waiting;
        var op = Operation.Begin(kind, vm.Id, vm.HostId, actor, now, reason: reason);
        db.Operations.Add(op);
        return op;
    }

    /// <summary>Journals having <paramref name="vm"/>'s node enforce its security group as the store will have it once the
    /// caller's unit of work commits, unless one waits already (it reads the rules when it runs) or the VM does not run
    /// (its next start carries them). Returns the operation, or null when none is needed.</summary>
    public static async Task<Operation?> BeginFirewallChangeAsync(OctopusDbContext db, Vm vm, string actor, DateTimeOffset now, CancellationToken ct)
    {
        if (vm.State is not (VmState.Running or VmState.Suspended) || vm.HostId is null) return null;
        var waiting = await db.Operations.FirstOrDefaultAsync(o => o.VmId == vm.Id && o.Kind == OperationKind.ApplyFirewall
            && o.Status == OperationStatus.Pending, ct);
        if (waiting is not null) return waiting;
        var op = Operation.Begin(OperationKind.ApplyFirewall, vm.Id, vm.HostId, actor, now);
        db.Operations.Add(op);
        return op;
    }

    /// <summary>Journals having <paramref name="host"/> publish <paramref name="network"/>'s names as the store has them
    /// when it runs, unless such an operation waits already (it reads the names when it runs); one that waits out a
    /// failed attempt's backoff is made due at once, as a new one would be.</summary>
    public static async Task BeginPublishNamesAsync(OctopusDbContext db, HostId host, string network, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var waiting = db.Operations.Local.FirstOrDefault(o => o.HostId == host && o.Kind == OperationKind.PublishNames && o.Payload == network
                && o.Status == OperationStatus.Pending)
            ?? await db.Operations.FirstOrDefaultAsync(o => o.HostId == host && o.Kind == OperationKind.PublishNames && o.Payload == network
                && o.Status == OperationStatus.Pending, ct);
        if (waiting is null) db.Operations.Add(Operation.Begin(OperationKind.PublishNames, null, host, actor, now, payload: network));
        else waiting.DueNow();
    }

    /// <summary>Has <paramref name="host"/> learn again, at once, the names of every network one of its VMs has a NIC on:
    /// journals a <see cref="OperationKind.PublishNames"/> per network, or makes the one waiting out a failed attempt's
    /// backoff (up to 5 minutes) due now. For a host that comes back (its agent heartbeats again): what it missed while
    /// down is published as soon as it can answer, in the caller's unit of work.</summary>
    public static async Task RepublishNamesAsync(OctopusDbContext db, HostId host, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var networks = await db.Nics.AsNoTracking().Where(n => db.Vms.Any(v => v.Id == n.VmId && v.HostId == host))
            .Join(db.Networks.AsNoTracking(), n => n.NetworkId, w => w.Id, (n, w) => w.Name).Distinct().ToListAsync(ct);
        foreach (var name in networks) await BeginPublishNamesAsync(db, host, name.Value, actor, now, ct);
    }

    /// <summary>Starts a live migration: the VM goes Migrating and the operation that carries it out is journaled.</summary>
    public static void BeginMigration(OctopusDbContext db, Vm vm, HostId to, string toName, string actor, DateTimeOffset now)
    {
        vm.BeginMigration(to, toName, now);
        db.Operations.Add(Operation.Begin(OperationKind.MigrateVm, vm.Id, vm.HostId, actor, now, to));
    }

    /// <summary>Starts powering a host on (<paramref name="on"/>) or off: it goes PoweringOn/PoweringOff and the
    /// operation is journaled. The caller has checked that the transition is wanted (and, for off, that it is empty).</summary>
    public static void BeginPowerChange(OctopusDbContext db, Host host, bool on, string actor, DateTimeOffset now)
    {
        host.MovePower(on ? HostPowerState.PoweringOn : HostPowerState.PoweringOff, now);
        db.Operations.Add(Operation.Begin(on ? OperationKind.PowerOnHost : OperationKind.PowerOffHost, null, host.Id, actor, now));
    }

    /// <summary>Adds the operation <paramref name="vm"/>'s state needs, unless one of that kind is already waiting.</summary>
    public static Task EnsureAsync(OctopusDbContext db, Vm vm, string actor, DateTimeOffset now, CancellationToken ct) =>
        EnsureAllAsync(db, [vm], actor, now, ct);

    /// <summary><see cref="EnsureAsync"/> for many VMs at once (the placement pass's batch): one query for the operations
    /// already waiting on any of them and one look at the context's unsaved ones, instead of a query and a scan of every
    /// tracked entity per VM — which made a pass over N pending VMs cost O(N²).</summary>
    public static async Task EnsureAllAsync(OctopusDbContext db, IReadOnlyCollection<Vm> vms, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var wanted = new List<(Vm Vm, OperationKind Kind)>(vms.Count);
        foreach (var vm in vms)
            if (KindFor(vm.State) is { } kind && kind != OperationKind.MigrateVm) wanted.Add((vm, kind));
        if (wanted.Count == 0) return;
        var ids = wanted.Select(w => w.Vm.Id).Distinct().ToList();
        var waiting = (await db.Operations.AsNoTracking()
                .Where(o => o.Status == OperationStatus.Pending && o.VmId != null && ids.Contains(o.VmId.Value))
                .Select(o => new { o.VmId, o.Kind }).ToListAsync(ct))
            .Select(o => (o.VmId!.Value, o.Kind)).ToHashSet();
        foreach (var o in db.Operations.Local)
            if (o is { VmId: { } id, Status: OperationStatus.Pending }) waiting.Add((id, o.Kind));
        foreach (var (vm, kind) in wanted)
        {
            if (!waiting.Add((vm.Id, kind))) continue;
            db.Operations.Add(Operation.Begin(kind, vm.Id, vm.HostId, actor, now));
        }
    }
}
