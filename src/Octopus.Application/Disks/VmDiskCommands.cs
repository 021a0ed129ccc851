using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Disks.Collection;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Disks;

/// <summary>What users ask of VM disks: fork, snapshot, list snapshots, revert, delete a snapshot, see the tree, and
/// (admins) collect garbage. Each command finds the VM among those the caller may see (others are 404), runs through
/// the <see cref="CommandRunner"/> so it is audited, and leaves the disk work to <see cref="DiskServices"/>.
/// Every snapshot and every fork is made by a journaled operation that the operation runner carries out
/// (<see cref="Control.DiskSwitchStep"/> has the node driver move a running guest onto its new leaf when its
/// hypervisor holds the file, <see cref="LiveDiskSwitching"/>; otherwise the disk tree works on the files); the request
/// waits for it for a bounded time and calls no driver and no disk tree itself.</summary>
public sealed class VmDiskCommands(DiskServices disks, CommandRunner runner, VmLookup lookup, VmCommands vms,
    Persistence.OctopusDbContext db, LiveDiskSwitching switching,
    OperationWaiter waiter, Control.IControlSignal signal, TimeProvider time)
{
    /// <summary>Creates a new VM through the normal create path (quota, placement, audit, NICs) whose disk is a new child
    /// of the source's current state; the source continues on its own new child. The fork has a NIC on each of the
    /// source's networks, with new addresses. The VM and its <see cref="OperationKind.ForkDisk"/> operation commit
    /// together, and the runner makes the disk before the VM's create runs, so a crash in between leaves a fork that gets
    /// its disk when the runner resumes (never a fresh image disk). The request waits for the disk for a bounded time; if
    /// the fork fails, the error is answered and the new VM is deleted.</summary>
    public async Task<Vm> ForkAsync(Caller caller, string source, VmForkRequest? request, CancellationToken ct)
    {
        if (request is null) throw DomainException.Invalid("body", "Send {\"name\": \"NEW\"} and optionally cores, memoryBytes, diskBytes.");
        var src = await lookup.FindAsync(caller, source, ct, track: false);
        if (await VmDisks.ActiveAsync(disks, src.Id, ct) is null)
            throw DomainException.Conflict("vm.no-disk", $"VM '{src.Name}' has no disk yet (it is {src.State}); fork it once it has been created.");
        switching.NeedsDriverFor(src); // refuses a source between states now, rather than in the operation
        var g = src.Geometry;
        // The fork joins the source's networks in the same NIC order, each NIC with a fresh address, MAC and name
        // (allocated by the create path like any new VM's); a source without NICs gives a fork without NICs.
        var networks = await db.Nics.AsNoTracking().Where(n => n.VmId == src.Id)
            .Join(db.Networks.AsNoTracking(), n => n.NetworkId, w => w.Id, (n, w) => new { n.Slot, w.Name }).ToListAsync(ct);
        var payload = new ForkPayload(src.Id, request.DiskBytes is { } d ? new ByteSize(d) : null).Format();
        Operation? fork = null;
        var created = await vms.CreateAsync(caller, new VmCreateRequest(request.Name, request.Cores ?? g.Cores,
            request.MemoryBytes ?? g.Memory.Bytes, request.DiskBytes ?? g.Disk.Bytes, g.Image.Value)
        {
            Networks = [.. networks.OrderBy(n => n.Slot).Select(n => n.Name.Value)],
        }, ct, vm =>
        {
            fork = Operation.Begin(OperationKind.ForkDisk, vm.Id, null, caller.Name, time.GetUtcNow(), payload: payload);
            db.Operations.Add(fork);
        });
        signal.Wake();

        var done = await waiter.WaitAsync(fork!.Id, OperationWaiter.QuickOperationBound, ct);
        if (done is { Status: OperationStatus.Failed })
        {
            var failed = new DomainException(ErrorKind.Conflict, done.ErrorCode ?? "vm.fork-failed", done.Error ?? "The fork failed.");
            await runner.RecordAsync(caller, Permissions.VmFork, $"vm/{src.Name}", false, failed.Message, ct);
            throw failed;
        }
        if (done is not null) await runner.RecordAsync(caller, Permissions.VmFork, $"vm/{src.Name}", true, $"into {created.Name}", ct);
        return created;
    }

    /// <summary>Snapshots the VM's disk through a journaled <see cref="OperationKind.SnapshotVm"/>, whatever the VM's state:
    /// the runner takes it live (the driver switches the running guest onto its new leaf) where a hypervisor holds the
    /// file, as files otherwise, so no disk work happens inside the request and a crash at any point leaves either no
    /// snapshot or exactly one (the operation resumes). What the caller can be told at once (no disk yet, the name taken)
    /// is refused before anything is journaled. The request waits for the operation for a bounded time; returns null when
    /// the bound passed first (the operation goes on).</summary>
    public async Task<SnapshotDto?> SnapshotAsync(Caller caller, string vmName, SnapshotRequest? request, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
        var name = SnapshotName.Parse(request?.Name, "name");
        var live = switching.NeedsDriverFor(vm); // refuses a VM between states now, rather than in the operation

        var op = await runner.RunAsync(caller, Permissions.VmSnapshot, $"vm/{vm.Name}", async ct =>
        {
            if (await VmDisks.ActiveAsync(disks, vm.Id, ct) is null)
                throw DomainException.NotFound("disk of VM", vm.Name.Value);
            if (await FindSnapshotAsync(vm.Id, name, ct) is not null)
                throw DomainException.Conflict("snapshot.exists", $"VM '{vm.Name}' already has a snapshot named '{name}'; pick another name or delete it first.",
                    new Dictionary<string, object> { ["vm"] = vm.Name.ToString(), ["name"] = name.ToString() });
            var op = Operation.Begin(OperationKind.SnapshotVm, vm.Id, vm.HostId, caller.Name, time.GetUtcNow(), payload: name.Value);
            db.Operations.Add(op);
            return op;
        }, ct, o => $"'{name}'{(live ? " live" : "")} (operation {o.Id})");
        if (await AwaitAsync(caller, Permissions.VmSnapshot, vm, op, "vm.snapshot-failed", error => error ?? "The snapshot failed.", ct) is null)
            return null;
        var node = await FindSnapshotAsync(vm.Id, name, ct)
            ?? throw DomainException.NotFound("snapshot", $"{vm.Name}/{name}");
        return new SnapshotDto(name.Value, null, node.Disk.Id.ToString(), node.Disk.CreatedAt, false);
    }

    /// <summary>The VM's snapshot (or checkpoint) named <paramref name="name"/>, or null.</summary>
    private async Task<SnapshotNode?> FindSnapshotAsync(VmId vm, SnapshotName name, CancellationToken ct) =>
        (await disks.Queries.SnapshotsAsync(vm, ct)).Select(r => Find(r, name)).FirstOrDefault(n => n is not null);

    private static SnapshotNode? Find(SnapshotNode n, SnapshotName name) =>
        !n.IsCurrent && n.Name == name ? n : n.Children.Select(c => Find(c, name)).FirstOrDefault(f => f is not null);

    public async Task<SnapshotTreeDto> SnapshotsAsync(Caller caller, string vmName, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
        var roots = await disks.Queries.SnapshotsAsync(vm.Id, ct);
        var rows = new List<SnapshotDto>();
        string? current = null;
        void Walk(SnapshotNode n, string? parent)
        {
            if (n.IsCurrent) current = parent;
            else rows.Add(new SnapshotDto(n.Name?.Value ?? "", parent, n.Disk.Id.ToString(), n.Disk.CreatedAt, n.Disk.Role == DiskRole.Checkpoint));
            foreach (var c in n.Children) Walk(c, n.IsCurrent ? parent : n.Name?.Value);
        }
        foreach (var r in roots) Walk(r, null);
        return new SnapshotTreeDto(vm.Name.Value, rows, current, DiskTreeText.Render(roots));
    }

    /// <summary>Continues the VM from a snapshot, through a journaled operation the request waits for for a bounded time.
    /// A stopped VM is reverted by a <see cref="OperationKind.RevertDisk"/>. A running one would keep writing to the disk
    /// it is switched away from, so it is refused unless <paramref name="restart"/> asks for "stop, revert, start": then one
    /// journaled <see cref="OperationKind.RevertVm"/> stops it, reverts it and starts it again (the runner makes every
    /// driver call). Returns the VM's disk once reverted, or null when the bound passed first (the operation goes on). A
    /// snapshot that does not exist is refused before anything is journaled or stops.</summary>
    public async Task<VmDiskDto?> RevertAsync(Caller caller, string vmName, string snapshot, CancellationToken ct, bool restart = false)
    {
        var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
        var name = SnapshotName.Parse(snapshot, "name");
        var stopAndStart = restart && vm.State != VmState.Stopped;
        var op = await runner.RunAsync(caller, Permissions.VmRevert, $"vm/{vm.Name}", async ct =>
        {
            var current = await lookup.FindAsync(caller, vm.Id.ToString(), ct, track: stopAndStart);
            if (!stopAndStart && current.State != VmState.Stopped)
                throw DomainException.Conflict("vm.not-stopped", $"VM '{current.Name}' is {current.State}; stop it first (octopus vm stop {current.Name}), " +
                    $"then revert, or stop, revert and start it in one step (octopus vm revert {current.Name} {name} --restart).",
                    new Dictionary<string, object> { ["name"] = current.Name.ToString(), ["state"] = current.State.ToString() });
            if (stopAndStart && (current.State != VmState.Running || current.HostId is null))
                throw DomainException.Conflict("vm.not-running", $"VM '{current.Name}' is {current.State}; stop, revert and start needs a running VM " +
                    "(a stopped one is reverted as it is; wait until it is running or stopped, then try again).",
                    new Dictionary<string, object> { ["name"] = current.Name.ToString(), ["state"] = current.State.ToString() });
            if (await FindSnapshotAsync(current.Id, name, ct) is null)
                throw DomainException.NotFound("snapshot", $"{current.Name}/{name}");
            var now = time.GetUtcNow();
            if (stopAndStart) current.RequestStop(now);
            var op = Operation.Begin(stopAndStart ? OperationKind.RevertVm : OperationKind.RevertDisk, current.Id, current.HostId, caller.Name, now,
                payload: name.Value);
            db.Operations.Add(op);
            return op;
        }, ct, o => $"to '{name}'{(stopAndStart ? ": stop, revert, start" : "")} (operation {o.Id})");
        var done = await AwaitAsync(caller, Permissions.VmRevert, vm, op, "vm.revert-failed", error => stopAndStart
            ? $"Stop, revert to '{name}' and start of VM '{vm.Name}' failed: {error}"
            : $"The revert of VM '{vm.Name}' to '{name}' failed: {error}", ct);
        return done is null ? null : await DiskAsync(caller, vmName, ct);
    }

    /// <summary>Wakes the runner for <paramref name="op"/> and waits for it for a bounded time: null when the bound passed
    /// first (the operation goes on); a failure is audited under <paramref name="permission"/> and thrown as a conflict
    /// with the operation's own code (else <paramref name="code"/>) and <paramref name="failure"/>'s words.</summary>
    private async Task<Operation?> AwaitAsync(Caller caller, Permission permission, Vm vm, Operation op, string code,
        Func<string?, string> failure, CancellationToken ct)
    {
        signal.Wake();
        var done = await waiter.WaitAsync(op.Id, OperationWaiter.QuickOperationBound, ct);
        if (done is not { Status: OperationStatus.Failed }) return done;
        var failed = new DomainException(ErrorKind.Conflict, done.ErrorCode ?? code, failure(done.Error));
        await runner.RecordAsync(caller, permission, $"vm/{vm.Name}", false, failed.Message, ct);
        throw failed;
    }

    public async Task DeleteSnapshotAsync(Caller caller, string vmName, string snapshot, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
        var name = SnapshotName.Parse(snapshot, "name");
        await runner.RunAsync(caller, Permissions.VmSnapshotDelete, $"vm/{vm.Name}", ct => disks.Tree.DeleteSnapshotAsync(vm.Id, name, ct), ct,
            _ => $"'{name}'");
    }

    public async Task<VmDiskDto> DiskAsync(Caller caller, string vmName, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
        var node = await VmDisks.ActiveWithFileSizeAsync(disks, vm.Id, ct)
            ?? throw DomainException.NotFound("disk of VM", vm.Name.Value);
        return new VmDiskDto(vm.Name.Value, node.Disk.Id.ToString(), node.Depth, node.Disk.VirtualSize.Bytes, node.FileSize.Bytes);
    }

    /// <summary>The whole tree for admins; for users, the chains of their own VMs (or of one VM with <paramref name="vmName"/>).</summary>
    public async Task<DiskTreeDto> TreeAsync(Caller caller, string? vmName, CancellationToken ct)
    {
        // Users see only their own VMs' chains, redacted of other users' VMs, snapshots and ids (DiskTreeQueries.TreeForAsync).
        if (vmName is not null)
        {
            var vm = await lookup.FindAsync(caller, vmName, ct, track: false);
            return ToDto(caller.IsAdmin ? await disks.Queries.TreeAsync(vm.Id, ct) : await disks.Queries.TreeForAsync(caller.Id, [vm.Id], ct));
        }
        if (caller.IsAdmin) return ToDto(await disks.Queries.TreeAsync(ct: ct));
        var mine = await db.Vms.AsNoTracking().Where(v => v.OwnerId == caller.Id).Select(v => v.Id).ToListAsync(ct);
        return ToDto(await disks.Queries.TreeForAsync(caller.Id, mine, ct));
    }

    public async Task<GcReportDto> CollectAsync(Caller caller, bool dryRun, CancellationToken ct)
    {
        var orphaned = new List<VmId>();
        var report = await runner.RunAsync(caller, dryRun ? Permissions.DiskGcDryRun : Permissions.DiskGc, "disks", async ct =>
        {
            // Active disks of VMs that no longer exist (deleted before they were ever placed, or a crash between the
            // VM's removal and its disk's release) are released first, so they start their grace period.
            var vmIds = (await db.Vms.AsNoTracking().Select(v => v.Id).ToListAsync(ct)).ToHashSet();
            var tree = await disks.Queries.TreeAsync(ct: ct);
            orphaned.AddRange(VmDisks.Flatten(tree.Roots)
                .Where(n => n.Disk.Role == DiskRole.Active && n.Disk.Vm is { } v && !vmIds.Contains(v)).Select(n => n.Disk.Vm!.Value));
            if (!dryRun) foreach (var vm in orphaned) await VmDisks.ReleaseAsync(disks, vm, ct);
            return await disks.Collector.CollectAsync(dryRun, ct);
        }, ct, r => $"{r.Collected.Count} disks, {r.BytesFreed}");
        var text = DiskTreeText.Render(report);
        if (orphaned.Count > 0)
            text = $"{(dryRun ? "would release" : "released")} the disks of {orphaned.Count} deleted VM(s)\n" + text;
        return new GcReportDto(report.DryRun, report.Collected.Count, report.BytesFreed.Bytes, report.Pending.Count, report.Missing.Count,
            text, orphaned.Count);
    }

    private static DiskTreeDto ToDto(DiskTreeView view) =>
        new(view.DiskCount, view.TotalSize.Bytes, [.. VmDisks.Flatten(view.Roots).Select(n => new DiskNodeDto(n.Disk.Id.ToString(),
            n.Disk.Parent?.ToString(), n.Disk.Role.ToString().ToLowerInvariant(), n.Disk.Label, n.Disk.Vm?.ToString(), n.FileSize.Bytes,
            n.FileMissing, n.KeptAliveBy, n.Depth))], DiskTreeText.Render(view));
}
