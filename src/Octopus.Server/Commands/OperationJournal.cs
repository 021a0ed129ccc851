using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Host = Octopus.Domain.Hosts.Host;
using Octopus.Domain.Vms;
using Octopus.Persistence;

namespace Octopus.Server.Commands;

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
    public static async Task EnsureAsync(OctopusDbContext db, Vm vm, string actor, DateTimeOffset now, CancellationToken ct)
    {
        if (KindFor(vm.State) is not { } kind || kind == OperationKind.MigrateVm) return;
        var waiting = await db.Operations.AnyAsync(o => o.VmId == vm.Id && o.Kind == kind && o.Status == OperationStatus.Pending, ct)
            || db.Operations.Local.Any(o => o.VmId == vm.Id && o.Kind == kind && o.Status == OperationStatus.Pending);
        if (!waiting) db.Operations.Add(Operation.Begin(kind, vm.Id, vm.HostId, actor, now));
    }
}
