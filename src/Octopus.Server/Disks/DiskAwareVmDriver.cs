using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;

namespace Octopus.Server.Disks;

/// <summary>Wraps a VM lifecycle driver so a VM's disk follows the VM: the create operation first makes the VM's disk
/// (a child of its image, never a copy; nothing if it already has one, so a replayed or forked create is fine), and
/// the delete operation releases the VM's disk and snapshots once the VM is gone (the collector removes the files).
/// Disk refusals and storage failures become <see cref="DriverException"/>s, so the operation fails with the reason.</summary>
internal sealed class DiskAwareVmDriver(IVmLifecycleDriver inner, DiskServices disks, IServiceScopeFactory scopes, VmDiskGate gate) : IVmLifecycleDriver
{
    public string Name => inner.Name;

    public async Task CreateAsync(VmRuntimeSpec spec, HostId host, CancellationToken ct)
    {
        using (await gate.EnterAsync(ct))
        {
            try
            {
                if (await VmDisks.ActiveAsync(disks, spec.Id, ct) is null)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
                    var owner = await db.Vms.AsNoTracking().Where(v => v.Id == spec.Id).Select(v => v.OwnerId).FirstAsync(ct);
                    var image = spec.Geometry.Image;
                    var imageSize = await db.Images.AsNoTracking().Where(i => i.Name == image.Value).Select(i => (long?)i.SizeBytes).FirstOrDefaultAsync(ct);
                    // The guest sees the geometry's disk size when it is bigger than the image; disks never shrink.
                    ByteSize? size = imageSize is { } s && spec.Geometry.Disk.Bytes > s ? spec.Geometry.Disk : null;
                    await disks.Tree.CreateVmDiskAsync(spec.Id, owner, image, size, ct);
                }
            }
            catch (Exception e) when (e is DomainException or Octopus.Disks.Backends.DiskBackendException)
            {
                throw new DriverException($"cannot create the disk of VM {spec.Name}: {e.Message}", e);
            }
        }
        await inner.CreateAsync(spec, host, ct);
    }

    public Task StartAsync(VmId vm, CancellationToken ct) => inner.StartAsync(vm, ct);

    public Task StopAsync(VmId vm, CancellationToken ct) => inner.StopAsync(vm, ct);

    public Task RebootAsync(VmId vm, CancellationToken ct) => inner.RebootAsync(vm, ct);

    public async Task DeleteAsync(VmId vm, CancellationToken ct)
    {
        await inner.DeleteAsync(vm, ct);
        await VmDisks.ReleaseAsync(disks, vm, ct);
    }

    public Task MigrateAsync(VmId vm, HostId destination, IProgress<double>? progress, CancellationToken ct) =>
        inner.MigrateAsync(vm, destination, progress, ct);
}

/// <summary>Small lookups over the disk services that the server needs in several places.</summary>
internal static class VmDisks
{
    /// <summary>The VM's active disk node (with its depth and current file size), or null when it has none.</summary>
    public static async Task<DiskTreeNode?> ActiveAsync(DiskServices disks, VmId vm, CancellationToken ct)
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
