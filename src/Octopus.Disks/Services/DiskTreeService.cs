using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Services;

/// <summary>The result of a fork: the source VM continues on <see cref="SourceActive"/>, the new VM runs on
/// <see cref="NewActive"/>, and both back onto <see cref="ForkPoint"/>, the source's old leaf, now frozen.</summary>
public sealed record ForkResult(Disk ForkPoint, Disk SourceActive, Disk NewActive);

/// <summary>Whether an image can be deleted, and if not, which live disks still need it.</summary>
public sealed record ImageDeleteCheck(ImageName Image, IReadOnlyList<Disk> Dependents)
{
    public bool Allowed => Dependents.Count == 0;

    /// <summary>The refusal in words, naming up to five dependents.</summary>
    public string Reason => Allowed
        ? $"image {Image} has no live dependents"
        : $"image {Image} is still used by {Dependents.Count} disk(s): {string.Join("; ", Dependents.Take(5).Select(d => d.Label))}"
          + (Dependents.Count > 5 ? "; …" : "") + ". Delete those VMs and snapshots first.";
}

/// <summary>The user-facing operations on the disk tree: images, VM disks, forks, snapshots, reverts and deletes.
/// Every operation reads the tree, lets the <see cref="Disk"/> and <see cref="DiskTree"/> rules decide, and commits
/// with the crash-safe step order described in the project README. Deletes only drop a disk's reason to live;
/// the <see cref="Collection.DiskCollector"/> removes files after the grace period.</summary>
public sealed class DiskTreeService
{
    private readonly DiskStore _store;

    internal DiskTreeService(DiskStore store) => _store = store;

    /// <summary>Imports a user's image file (qcow2, raw, vhd, vhdx) as a new read-only base image, converted to qcow2.
    /// The conversion (minutes for a big image) runs outside the operation gate, so forks and snapshots go on meanwhile.</summary>
    public Task<Disk> ImportImageAsync(ImageName name, UserId owner, string sourcePath, DiskImageFormat? format = null, CancellationToken ct = default)
    {
        RequireImportable(sourcePath);
        return AddImageAsync(name, owner, $"import image {name}", id => _store.Backend.ImportAsync(id, sourcePath, format, ct), ct);
    }

    /// <summary>Creates an empty base image of <paramref name="virtualSize"/> (a sparse qcow2: cheap at any size), for
    /// images the server's configuration names but nobody imported. Same crash-safe steps as an import.</summary>
    public Task<Disk> CreateBaseImageAsync(ImageName name, UserId owner, ByteSize virtualSize, CancellationToken ct = default) =>
        AddImageAsync(name, owner, $"create base image {name}", id => _store.Backend.CreateBaseAsync(id, virtualSize, ct), ct);

    private async Task<Disk> AddImageAsync(ImageName name, UserId owner, string description, Func<DiskId, Task<StoredDisk>> make, CancellationToken ct)
    {
        // Same order as a child: journal, make the file, then commit the row and close the journal entry together.
        var intent = await _store.ExclusiveAsync(async () =>
        {
            RequireNewImageName(await _store.LoadTreeAsync(ct), name);
            var started = new DiskIntent(DiskIntentId.New(), DiskIntentKind.CreateFiles, description, _store.Now, [_store.NewId()]);
            await _store.Catalog.ApplyAsync(CatalogChange.BeginIntent(started), ct);
            return started;
        }, ct);
        var id = intent.Files[0];
        try
        {
            var stored = await make(id);
            return await _store.ExclusiveAsync(async () =>
            {
                var tree = await _store.LoadTreeAsync(ct);
                RequireNewImageName(tree, name); // another import may have taken the name meanwhile
                var image = Disk.NewImage(id, name, owner, stored.VirtualSize, stored.FileSize, _store.Now);
                await _store.CommitAsync(tree, new CatalogChange { Upserts = [image], End = intent.Id }, ct);
                return image;
            }, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            try
            {
                await _store.Backend.DeleteAsync(id, ct);
                await _store.Catalog.ApplyAsync(new CatalogChange { End = intent.Id }, ct);
            }
            catch (Exception) { /* left to the recovery pass */ }
            throw;
        }
    }

    private static void RequireNewImageName(DiskTree tree, ImageName name)
    {
        if (tree.ImageNamed(name) is not null)
            throw DomainException.Conflict("image.exists", $"An image named '{name}' already exists; pick another name or delete it first.");
    }

    /// <summary>Creates a VM's first disk: an empty child of the image (the image is never copied). With
    /// <paramref name="size"/> (e.g. the geometry's disk size) the guest sees a bigger disk than the image.</summary>
    public Task<Disk> CreateVmDiskAsync(VmId vm, UserId owner, ImageName image, ByteSize? size = null, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            RequireNoDisk(tree, vm);
            var img = tree.ImageNamed(image) ?? throw DomainException.NotFound("image", image.ToString());
            var row = Disk.NewActive(_store.NewId(), img, vm, owner, _store.Now).GrownTo(size);
            var created = await _store.CreateChildrenAsync(tree, $"create disk of vm {vm}", [row], rows => new CatalogChange { Upserts = rows }, ct);
            return created[0];
        }, ct);

    /// <summary>Forks <paramref name="source"/>: its leaf freezes, and two new children start from it, one for the
    /// source to continue on and one for <paramref name="newVm"/> (grown to <paramref name="newSize"/> if given). Nothing is copied.</summary>
    public Task<ForkResult> ForkAsync(VmId source, VmId newVm, UserId newOwner, ByteSize? newSize = null, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            if (source == newVm) throw DomainException.Invalid("vm", "A VM cannot be forked into itself; give the fork a new VM id.");
            RequireNoDisk(tree, newVm);
            var leaf = tree.RequireActiveOf(source);
            var now = _store.Now;
            var continuing = Disk.NewActive(_store.NewId(), leaf, source, leaf.Owner, now);
            var fork = Disk.NewActive(_store.NewId(), leaf, newVm, newOwner, now).GrownTo(newSize);
            var frozen = leaf.FreezeUnnamed();
            var created = await _store.CreateChildrenAsync(tree, $"fork vm {source} into {newVm}", [continuing, fork],
                rows => new CatalogChange { Upserts = [frozen, .. rows] }, ct);
            return new ForkResult(frozen, created[0], created[1]);
        }, ct);

    /// <summary>Freezes the VM's leaf under <paramref name="name"/> and continues on a new child. Returns the snapshot.</summary>
    public Task<Disk> SnapshotAsync(VmId vm, SnapshotName name, CancellationToken ct = default) =>
        _store.ExclusiveAsync(() => FreezeAndContinueAsync(vm, name, leaf => leaf.FreezeAsSnapshot(name), $"snapshot vm {vm} as '{name}'", ct), ct);

    /// <summary>Snapshots a running VM: like <see cref="SnapshotAsync"/>, but the VM's new leaf is created by
    /// <paramref name="switchTo"/> (the hypervisor, which moves the guest's writes to it without stopping it) between
    /// the journal entry and the commit. If the switch throws, nothing changes and the VM keeps its old leaf.</summary>
    public Task<Disk> SnapshotLiveAsync(VmId vm, SnapshotName name, LiveDiskSwitch switchTo, CancellationToken ct = default) =>
        _store.ExclusiveAsync(() => FreezeAndContinueAsync(vm, name, leaf => leaf.FreezeAsSnapshot(name), $"live snapshot vm {vm} as '{name}'", ct, switchTo), ct);

    /// <summary>Forks a running VM: like <see cref="ForkAsync"/>, but the source's new leaf is created by
    /// <paramref name="switchTo"/> (the hypervisor moves the running source onto it); the new VM's disk is an ordinary
    /// child of the frozen leaf. If the switch throws, nothing changes and the source keeps its old leaf.</summary>
    public Task<ForkResult> ForkLiveAsync(VmId source, VmId newVm, UserId newOwner, ByteSize? newSize, LiveDiskSwitch switchTo, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            if (source == newVm) throw DomainException.Invalid("vm", "A VM cannot be forked into itself; give the fork a new VM id.");
            RequireNoDisk(tree, newVm);
            var leaf = tree.RequireActiveOf(source);
            var now = _store.Now;
            var continuing = Disk.NewActive(_store.NewId(), leaf, source, leaf.Owner, now);
            var fork = Disk.NewActive(_store.NewId(), leaf, newVm, newOwner, now).GrownTo(newSize);
            var frozen = leaf.FreezeUnnamed();
            var created = await _store.SwitchLiveAsync(tree, $"live fork vm {source} into {newVm}", leaf, continuing, [fork], null, switchTo,
                rows => new CatalogChange { Upserts = [frozen, .. rows] }, ct);
            return new ForkResult(frozen, created[0], created[1]);
        }, ct);

    /// <summary>Continues the VM on a new child of one of its snapshots. The abandoned leaf becomes unreachable and is
    /// collected after the grace period, so a mistaken revert can still be undone by an operator meanwhile.</summary>
    public Task<Disk> RevertAsync(VmId vm, SnapshotName name, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            var leaf = tree.RequireActiveOf(vm);
            var snapshot = RequireSnapshot(tree, vm, name);
            var row = Disk.NewActive(_store.NewId(), snapshot, vm, leaf.Owner, _store.Now);
            var abandoned = leaf.FreezeUnnamed();
            var created = await _store.CreateChildrenAsync(tree, $"revert vm {vm} to '{name}'", [row],
                rows => new CatalogChange { Upserts = [abandoned, .. rows] }, ct);
            return created[0];
        }, ct);

    /// <summary>Deletes a snapshot or checkpoint: its name goes at once; its data stays while a later disk backs onto it.</summary>
    public Task<Disk> DeleteSnapshotAsync(VmId vm, SnapshotName name, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            var released = RequireSnapshot(tree, vm, name).Release();
            await _store.CommitAsync(tree, new CatalogChange { Upserts = [released] }, ct);
            return released;
        }, ct);

    /// <summary>Deletes a VM's disks: its active leaf and all its snapshots stop being roots. Forks of the VM keep
    /// whatever part of the chain they back onto.</summary>
    public Task<IReadOnlyList<Disk>> DeleteVmDiskAsync(VmId vm, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            var leaf = tree.RequireActiveOf(vm);
            IReadOnlyList<Disk> released = [leaf.Release(), .. tree.SnapshotsOf(vm).Select(s => s.Release())];
            await _store.CommitAsync(tree, new CatalogChange { Upserts = released }, ct);
            return released;
        }, ct);

    /// <summary>Which live disks (VM disks, snapshots, checkpoints) still depend on an image.</summary>
    public async Task<ImageDeleteCheck> CheckImageDeleteAsync(ImageName image, CancellationToken ct = default)
    {
        var tree = await _store.LoadTreeAsync(ct);
        return Check(tree, tree.ImageNamed(image) ?? throw DomainException.NotFound("image", image.ToString()));
    }

    /// <summary>Deletes an image, refused with the reason while any VM or snapshot depends on it.</summary>
    public Task<Disk> DeleteImageAsync(ImageName image, CancellationToken ct = default) =>
        _store.ExclusiveAsync(async () =>
        {
            var tree = await _store.LoadTreeAsync(ct);
            var img = tree.ImageNamed(image) ?? throw DomainException.NotFound("image", image.ToString());
            var check = Check(tree, img);
            if (!check.Allowed) throw DomainException.Conflict("image.in-use", check.Reason);
            var released = img.Release();
            await _store.CommitAsync(tree, new CatalogChange { Upserts = [released] }, ct);
            return released;
        }, ct);

    /// <summary>The shared path of snapshot and checkpoint: freeze the leaf with <paramref name="freeze"/>, continue on a new child.</summary>
    internal async Task<Disk> FreezeAndContinueAsync(VmId vm, SnapshotName name, Func<Disk, Disk> freeze, string operation, CancellationToken ct,
        LiveDiskSwitch? switchTo = null)
    {
        var tree = await _store.LoadTreeAsync(ct);
        var leaf = tree.RequireActiveOf(vm);
        if (tree.SnapshotOf(vm, name) is not null)
            throw DomainException.Conflict("snapshot.exists", $"VM {vm} already has a snapshot named '{name}'; pick another name or delete it first.");
        var frozen = freeze(leaf);
        var row = Disk.NewActive(_store.NewId(), leaf, vm, leaf.Owner, _store.Now);
        if (switchTo is null)
            await _store.CreateChildrenAsync(tree, operation, [row], rows => new CatalogChange { Upserts = [frozen, .. rows] }, ct);
        else
            await _store.SwitchLiveAsync(tree, operation, leaf, row, [], frozen.Name, switchTo, rows => new CatalogChange { Upserts = [frozen, .. rows] }, ct);
        return frozen;
    }

    private void RequireImportable(string sourcePath)
    {
        var full = ImportPath.Parse(sourcePath).FullPath;
        var folders = _store.Options.ImportFolders;
        if (folders.Count == 0) return;
        var info = new FileInfo(full);
        var real = info.Exists ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        var allowed = folders.Any(f =>
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)) + Path.DirectorySeparatorChar;
            return real.StartsWith(root, StringComparison.Ordinal) && full.StartsWith(root, StringComparison.Ordinal);
        });
        // The folders themselves are not named: they are the server's layout (its data folder), not the caller's business.
        if (!allowed)
            throw new DomainException(ErrorKind.Forbidden, "image.import-path",
                "That file is outside the server's import folders (Octopus:Storage:ImportFolders; by default the 'import' folder of the server's data folder); upload the image there first.", "file");
    }

    private static ImageDeleteCheck Check(DiskTree tree, Disk image) =>
        new(image.Image!.Value, tree.Descendants(image.Id).Where(d => d.Role.IsRoot()).ToList());

    private static void RequireNoDisk(DiskTree tree, VmId vm)
    {
        if (tree.ActiveOf(vm) is { } existing)
            throw DomainException.Conflict("vm.has-disk", $"VM {vm} already has a disk ({existing.Id}); delete it first or use another VM.");
    }

    private static Disk RequireSnapshot(DiskTree tree, VmId vm, SnapshotName name) =>
        tree.SnapshotOf(vm, name) ?? throw DomainException.NotFound($"snapshot of vm {vm}", name.ToString());
}
