using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

// Runs random disk operations forever on a qemu-img store with a JSON catalog, printing "op N" after each, so a test
// can kill it with SIGKILL at any moment and check that a restarted server recovers. Usage: STORE CATALOG SEED
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Octopus.Disks.CrashWorker STORE_FOLDER CATALOG_FILE SEED");
    return 2;
}
var (store, catalogPath, seed) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
var catalog = new JsonFileDiskCatalog(catalogPath);
var backend = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = store });
// Grace 0 so the collector really sweeps while it may be killed; depth 3 so chains get rebased often.
var s = DiskServices.Create(catalog, backend, TimeProvider.System, new DiskTreeOptions { MaxChainDepth = 3, GracePeriod = TimeSpan.Zero });
await s.Recovery.RecoverAsync();
var owner = new UserId(Guid.Parse("00000000-0000-0000-0000-000000000001"));
var image = ImageName.Parse("base");
if ((await catalog.LoadAsync()).Tree().ImageNamed(image) is null)
{
    var raw = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(catalogPath))!, "base.raw");
    await File.WriteAllBytesAsync(raw, new byte[4 * 1024 * 1024]);
    await s.Tree.ImportImageAsync(image, owner, raw, DiskImageFormat.Raw);
}
var rng = new Random(seed);
for (var n = 0; ; n++)
{
    var tree = (await catalog.LoadAsync()).Tree();
    var vms = tree.All.Where(d => d.Role == DiskRole.Active).Select(d => d.Vm!.Value).OrderBy(v => v.Value).ToList();
    VmId Pick() => vms[rng.Next(vms.Count)];
    try
    {
        switch (vms.Count < 3 ? 0 : rng.Next(9))
        {
            case 0: await s.Tree.CreateVmDiskAsync(VmId.New(), owner, image); break;
            case 1: await s.Tree.ForkAsync(Pick(), VmId.New(), owner); break;
            case 2 or 3: await s.Tree.SnapshotAsync(Pick(), SnapshotName.Parse($"s{seed}-{n}")); break;
            case 4:
            {
                var vm = Pick();
                var snap = tree.SnapshotsOf(vm).FirstOrDefault();
                if (snap is not null) await s.Tree.RevertAsync(vm, snap.Name!.Value);
                break;
            }
            case 5:
            {
                var vm = Pick();
                var snap = tree.SnapshotsOf(vm).FirstOrDefault();
                if (snap is not null) await s.Tree.DeleteSnapshotAsync(vm, snap.Name!.Value);
                break;
            }
            case 6: await s.Tree.DeleteVmDiskAsync(Pick()); break;
            case 7: await s.Checkpoints.CheckpointAsync(Pick(), "worker"); break;
            default: await s.Collector.CollectAsync(); break;
        }
    }
    catch (DomainException)
    {
        // A random request the rules refuse (a name already taken): a real server answers 4xx and goes on.
    }
    Console.WriteLine($"op {n}");
}
