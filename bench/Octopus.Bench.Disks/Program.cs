using System.Diagnostics;
using System.Globalization;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

// Disk benchmarks: fork vs full copy on 1 GiB and 8 GiB bases full of data, VM disk creation, and gc on a 1,000-disk
// tree. Usage: dotnet run -c Release --project bench/Octopus.Bench.Disks [-- --sizes 1,8 --reps 20]
// Everything is written under /tmp/octopus-bench-disks-* and deleted at the end.

var sizes = ArgValue("--sizes", "1,8").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var reps = int.Parse(ArgValue("--reps", "20"), CultureInfo.InvariantCulture);
var root = Path.Combine(Path.GetTempPath(), "octopus-bench-disks-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(root);
var owner = UserId.New();
var results = new List<(string What, string Figure)>();

try
{
    foreach (var gib in sizes) await ForkVersusCopyAsync(gib);
    await GcAsync("simulated", new SimulatedDiskBackend(TimeProvider.System) as IDiskBackend, null);
    var gcFolder = Path.Combine(root, "gc");
    await GcAsync("qemu-img", new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = gcFolder }), gcFolder);

    Console.WriteLine();
    Console.WriteLine($"{"measurement",-70} figure");
    foreach (var (what, figure) in results) Console.WriteLine($"{what,-70} {figure}");
}
finally
{
    Directory.Delete(root, recursive: true);
}

async Task ForkVersusCopyAsync(int gib)
{
    var folder = Path.Combine(root, $"store-{gib}g");
    var backend = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = folder });
    var s = DiskServices.Create(new InMemoryDiskCatalog(), backend, TimeProvider.System);
    var source = Path.Combine(root, $"source-{gib}g.qcow2");
    Console.WriteLine($"[{gib} GiB] filling a base disk with data …");
    await FillAsync(source, gib);

    var image = ImageName.Parse($"base-{gib}g");
    var sw = Stopwatch.StartNew();
    var img = await s.Tree.ImportImageAsync(image, owner, source, DiskImageFormat.Qcow2);
    var convert = sw.Elapsed;
    File.Delete(source);
    Console.WriteLine($"[{gib} GiB] image file {new ByteSize(img.FileSize.Bytes)}");

    var imagePath = Path.Combine(folder, img.Id.FileName);
    var copyPath = Path.Combine(root, "copy.qcow2");
    sw.Restart();
    File.Copy(imagePath, copyPath);
    using (var f = new FileStream(copyPath, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true);
    var copy = sw.Elapsed;
    File.Delete(copyPath);
    // Let the copies' write-back drain, so the timings below measure the fork and not the page cache flushing.
    await RunAsync("sync");

    var create = new List<double>();
    var fork = new List<double>();
    for (var i = 0; i < reps; i++)
    {
        var vm = VmId.New();
        sw.Restart();
        await s.Tree.CreateVmDiskAsync(vm, owner, image);
        create.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        await s.Tree.ForkAsync(vm, VmId.New(), owner);
        fork.Add(sw.Elapsed.TotalMilliseconds);
    }
    var bare = new List<double>();
    for (var i = 0; i < reps; i++)
    {
        sw.Restart();
        await backend.CreateChildAsync(DiskId.New(), img.Id);
        bare.Add(sw.Elapsed.TotalMilliseconds);
    }

    results.Add(($"{gib} GiB base: fork (2 children made in parallel), median (min-max) of {reps}", Spread(fork)));
    results.Add(($"{gib} GiB base: create VM disk (one qemu-img create -b), median (min-max) of {reps}", Spread(create)));
    results.Add(($"{gib} GiB base: bare qemu-img create -b, median (min-max) of {reps}", Spread(bare)));
    results.Add(($"{gib} GiB base: full copy, qemu-img convert (the import)", Ms(convert.TotalMilliseconds)));
    results.Add(($"{gib} GiB base: full copy, file copy + fsync", Ms(copy.TotalMilliseconds)));
    Directory.Delete(folder, recursive: true);
}

async Task FillAsync(string path, int gib)
{
    await RunAsync("qemu-img", "create", "-q", "-f", "qcow2", path, $"{gib}G");
    // Every cluster written, in 256 MiB chunks with a different byte each, so the base is really full.
    const int chunkMiB = 256;
    var args = new List<string> { "-f", "qcow2" };
    for (var off = 0; off < gib * 1024; off += chunkMiB)
    {
        args.Add("-c");
        args.Add($"write -q -P {1 + (off / chunkMiB) % 250} {off}M {chunkMiB}M");
    }
    args.Add(path);
    await RunAsync("qemu-io", [.. args]);
}

async Task GcAsync(string label, IDiskBackend backend, string? folder)
{
    var time = new BenchClock();
    var catalog = new InMemoryDiskCatalog();
    var s = DiskServices.Create(catalog, backend, time, new DiskTreeOptions { GracePeriod = TimeSpan.FromHours(1) });
    var src = Path.Combine(root, "tiny.raw");
    await File.WriteAllBytesAsync(src, new byte[16 * 1024 * 1024]);
    await s.Tree.ImportImageAsync(ImageName.Parse("tiny"), owner, src, DiskImageFormat.Raw);
    var rng = new Random(42);
    var vms = new List<VmId>();
    Console.WriteLine($"[gc/{label}] building a 1,000-disk tree …");
    var sw = Stopwatch.StartNew();
    var n = 0;
    while ((await catalog.LoadAsync()).Disks.Count < 1000)
    {
        var roll = rng.Next(10);
        if (vms.Count < 20 || roll < 2)
        {
            var vm = VmId.New();
            await s.Tree.CreateVmDiskAsync(vm, owner, ImageName.Parse("tiny"));
            vms.Add(vm);
        }
        else if (roll < 5) await s.Tree.SnapshotAsync(vms[rng.Next(vms.Count)], Octopus.Disks.Model.SnapshotName.Parse($"s{n++}"));
        else if (roll < 8)
        {
            var vm = VmId.New();
            await s.Tree.ForkAsync(vms[rng.Next(vms.Count)], vm, owner);
            vms.Add(vm);
        }
        else await s.Checkpoints.CheckpointAsync(vms[rng.Next(vms.Count)], "bench");
    }
    var build = sw.Elapsed;
    // Delete half the VMs so that a good part of the tree becomes garbage.
    foreach (var vm in vms.Where((_, i) => i % 2 == 0)) await s.Tree.DeleteVmDiskAsync(vm);
    var total = (await catalog.LoadAsync()).Disks.Count;
    time.Advance(TimeSpan.FromHours(2));

    var tree = (await catalog.LoadAsync()).Tree();
    sw.Restart();
    var marked = tree.Reachable().Count;
    var mark = sw.Elapsed;
    await s.Collector.CollectAsync(dryRun: true); // warm-up (JIT), not timed
    sw.Restart();
    var dry = await s.Collector.CollectAsync(dryRun: true);
    var dryTime = sw.Elapsed;
    sw.Restart();
    var real = await s.Collector.CollectAsync();
    var sweep = sw.Elapsed;

    results.Add(($"gc/{label}: tree of {total} disks built in", Ms(build.TotalMilliseconds)));
    results.Add(($"gc/{label}: mark only ({marked} of {total} reachable)", Ms(mark.TotalMilliseconds)));
    results.Add(($"gc/{label}: dry run (mark + plan, {dry.Collected.Count} would go, {dry.BytesFreed})", Ms(dryTime.TotalMilliseconds)));
    results.Add(($"gc/{label}: mark and sweep ({real.Collected.Count} disks deleted, {real.BytesFreed})", Ms(sweep.TotalMilliseconds)));
    File.Delete(src);
    if (folder is not null) Directory.Delete(folder, recursive: true);
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static string Spread(List<double> xs) => $"{Ms(Median(xs))} ({Ms(xs.Min())}-{Ms(xs.Max())})";

static string Ms(double ms) => ms >= 1000 ? $"{ms / 1000:0.00} s" : ms >= 1 ? $"{ms:0.0} ms" : $"{ms * 1000:0} µs";

static async Task RunAsync(string exe, params string[] args)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in args) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    _ = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed: {await err}");
}

string ArgValue(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

/// <summary>A clock the benchmark moves past the grace period without waiting.</summary>
sealed class BenchClock : TimeProvider
{
    private TimeSpan _offset;
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    public void Advance(TimeSpan by) => _offset += by;
}
