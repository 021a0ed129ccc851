using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;

namespace Octopus.Application.Disks;

/// <summary>Gives a VM its disk before its node first boots it and releases its disks once the node forgot it: the create
/// operation makes the VM's disk (a child of its image, never a copy; nothing if it already has one, so a replayed or
/// forked create is fine), the delete operation releases the disk and snapshots (the collector removes the files). Disk
/// refusals and storage failures become <see cref="DriverException"/>s, so the operation fails with the reason.</summary>
public sealed class VmDiskProvisioner(DiskServices disks, VmDiskGate gate)
{
    public async Task EnsureAsync(Vm vm, OctopusDbContext db, CancellationToken ct)
    {
        using (await gate.EnterAsync(ct))
        {
            try
            {
                if (await VmDisks.ActiveAsync(disks, vm.Id, ct) is not null) return;
                // A fork gets its disk from its fork operation; a fresh image disk would silently make it another VM.
                if (await db.Operations.AsNoTracking().AnyAsync(o => o.VmId == vm.Id && o.Kind == OperationKind.ForkDisk, ct))
                    throw new DriverException($"VM {vm.Name} is a fork whose disk was not made; it gets no fresh image disk.");
                var image = vm.Geometry.Image;
                var imageSize = await db.Images.AsNoTracking().Where(i => i.Name == image.Value).Select(i => (long?)i.SizeBytes).FirstOrDefaultAsync(ct);
                // The guest sees the geometry's disk size when it is bigger than the image; disks never shrink.
                ByteSize? size = imageSize is { } s && vm.Geometry.Disk.Bytes > s ? vm.Geometry.Disk : null;
                await disks.Tree.CreateVmDiskAsync(vm.Id, vm.OwnerId, image, size, ct);
            }
            catch (Exception e) when (e is DomainException or Octopus.Disks.Backends.DiskBackendException)
            {
                throw new DriverException($"cannot create the disk of VM {vm.Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>Releases the VM's disks if it still has any (idempotent).</summary>
    public Task ReleaseAsync(VmId vm, CancellationToken ct) => VmDisks.ReleaseAsync(disks, vm, ct);
}

/// <summary>Small lookups over the disk services that the server needs in several places.</summary>
internal static class VmDisks
{
    /// <summary>The VM's active disk node (with its depth and the file size the catalog recorded), or null when it has
    /// none. Its cost does not grow with the catalog.</summary>
    public static Task<DiskTreeNode?> ActiveAsync(DiskServices disks, VmId vm, CancellationToken ct) => disks.Queries.ActiveAsync(vm, ct);

    /// <summary>The VM's active disk node with its file size as the storage folder has it now (reads the folder).</summary>
    public static async Task<DiskTreeNode?> ActiveWithFileSizeAsync(DiskServices disks, VmId vm, CancellationToken ct)
    {
        var view = await disks.Queries.TreeAsync(vm, ct);
        return Flatten(view.Roots).FirstOrDefault(n => n.Disk.Vm == vm && n.Disk.Role == Octopus.Disks.Model.DiskRole.Active);
    }

    /// <summary>Releases the VM's disks if it still has any (idempotent: a replayed delete finds none).</summary>
    public static async Task ReleaseAsync(DiskServices disks, VmId vm, CancellationToken ct)
    {
        if (await ActiveAsync(disks, vm, ct) is null) return;
        try { await disks.Tree.DeleteVmDiskAsync(vm, ct); }
        catch (DomainException e) when (e.Kind == ErrorKind.NotFound) { /* released meanwhile */ }
    }

    public static IEnumerable<DiskTreeNode> Flatten(IEnumerable<DiskTreeNode> roots)
    {
        foreach (var r in roots)
        {
            yield return r;
            foreach (var c in Flatten(r.Children)) yield return c;
        }
    }
}
