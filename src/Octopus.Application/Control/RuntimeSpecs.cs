using Microsoft.EntityFrameworkCore;
using Octopus.Disks.Catalog;
using Octopus.Domain.Networks;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Application.Disks;

namespace Octopus.Application.Control;

/// <summary>Builds the complete <see cref="VmRuntimeSpec"/> a node driver needs from the VM's record and the disk tree:
/// the active disk and its backing chain as absolute paths in the storage folder, its NICs (MAC, address, bridge) and
/// security group as the store keeps them, the cloud-init seed when its image runs cloud-init, the node's own boot
/// source and a serial console. Built afresh for every create, start and incoming migration, so a disk
/// that a snapshot, fork or revert moved meanwhile is always the one the node boots; drivers never read the store.</summary>
public sealed class RuntimeSpecs(IDiskCatalog catalog, StorageSettings storage, IDbContextFactory<OctopusDbContext> store)
{
    public async Task<VmRuntimeSpec> BuildAsync(Vm vm, CancellationToken ct)
    {
        var tree = (await catalog.LoadAsync(ct)).Tree();
        IReadOnlyList<DiskAttachment> disks = [];
        if (tree.ActiveOf(vm.Id) is { } active)
        {
            var chain = new List<string> { PathOf(active.Id) };
            chain.AddRange(tree.Ancestors(active.Id).Select(d => PathOf(d.Id)));
            disks = [new DiskAttachment(chain[0], chain, ReadOnly: false)];
        }
        // One context for the spec's reads (NICs, security group, seed).
        await using var db = await store.CreateDbContextAsync(ct);
        var nics = await NicsAsync(db, vm, ct);
        return new VmRuntimeSpec(vm.Id, vm.Name.Value, vm.Geometry, disks, nics, Boot: null, ConsoleSpec.SerialOnly,
            await IngressAsync(db, vm.Id, ct), await SeedAsync(db, vm, nics, ct));
    }

    /// <summary>The VM's cloud-init NoCloud seed when its image is marked cloud-init capable (else null): its id and name,
    /// the SSH keys it was created with and its user-data, or a generated #cloud-config when it has none.</summary>
    private static async Task<CloudInitSeed?> SeedAsync(OctopusDbContext db, Vm vm, IReadOnlyList<NicSpec> nics, CancellationToken ct)
    {
        var image = vm.Geometry.Image.Value;
        if (!await db.Images.AsNoTracking().AnyAsync(i => i.Name == image && i.CloudInit, ct)) return null;
        var keys = await db.VmSshKeys.AsNoTracking().Where(k => k.VmId == vm.Id).OrderBy(k => k.Slot).Select(k => k.PublicKey).ToListAsync(ct);
        var userData = await db.VmUserData.AsNoTracking().Where(u => u.VmId == vm.Id).Select(u => u.Text).FirstOrDefaultAsync(ct);
        return CloudInitSeed.For(vm.Id, vm.Name.Value, nics, keys, userData);
    }

    /// <summary>The VM's security group as the store has it now, oldest rule first (empty: no new connection reaches it).</summary>
    public async Task<IReadOnlyList<IngressRule>> IngressAsync(VmId vm, CancellationToken ct)
    {
        await using var db = await store.CreateDbContextAsync(ct);
        return await IngressAsync(db, vm, ct);
    }

    private static async Task<IReadOnlyList<IngressRule>> IngressAsync(OctopusDbContext db, VmId vm, CancellationToken ct)
    {
        var rules = await db.SecurityRules.AsNoTracking().Where(r => r.VmId == vm).ToListAsync(ct);
        return [.. rules.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id.Value).Select(r => r.Rule)];
    }

    private static async Task<IReadOnlyList<NicSpec>> NicsAsync(OctopusDbContext db, Vm vm, CancellationToken ct)
    {
        var nics = await db.Nics.AsNoTracking().Where(n => n.VmId == vm.Id).Join(db.Networks.AsNoTracking(), n => n.NetworkId, w => w.Id,
            (n, w) => new { n.Slot, n.Mac, n.Address, n.HostName, w.Name, w.Bridge, w.Vlan, w.Subnet, w.Gateway, w.Domain }).ToListAsync(ct);
        return [.. nics.OrderBy(n => n.Slot).Select(n => new NicSpec(n.Mac.ToString(), n.Name.Value, n.Bridge.Value, n.Address.ToString(), n.Vlan,
            n.Subnet.ToString(), n.Gateway.ToString(), n.Domain.ToString(), n.HostName))];
    }

    private string PathOf(Octopus.Disks.Model.DiskId id) => Path.Combine(storage.Folder, id.FileName);
}
