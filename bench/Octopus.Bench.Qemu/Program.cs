using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Migration;
using Octopus.Drivers.Qemu.Processes;

// Usage: dotnet run -c Release --project bench/Octopus.Bench.Qemu -- [--runs N] [--idle-vms N] [--idle-seconds S] [--copy-disk-mib M]
// Prints create-to-running time (until the guest's serial ready marker), live-migration total time and downtime of a
// 128 MiB guest between two host drivers on loopback (shared storage), and per-VM memory and CPU: the QEMU process's
// and the driver's own (this process stands in for the agent); and migration without shared storage (NBD disk mirror).
var runs = IntArg("--runs", 5);
var idleVms = IntArg("--idle-vms", 4);
var idleSeconds = IntArg("--idle-seconds", 10);
var copyDiskMiB = IntArg("--copy-disk-mib", 256);
if (!File.Exists("/usr/bin/qemu-system-x86_64"))
{
    Console.Error.WriteLine("qemu-system-x86_64 is not installed: run scripts/install-deps first.");
    return 2;
}

var guestDir = BuildGuest();
var env = File.ReadAllLines(Path.Combine(guestDir, "guest.env")).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
    .ToDictionary(p => p[0], p => p[1].Trim('"'));
var boot = new DirectKernelBoot(env["KERNEL"], env["INITRD"], env["APPEND"]);
var root = Directory.CreateTempSubdirectory("oqb-").FullName;
var storage = Path.Combine(root, "storage");
Directory.CreateDirectory(Path.Combine(storage, "images"));
var qemuImg = new QemuImg();
await qemuImg.CreateChildAsync(env["DISK"], Path.Combine(storage, "images", "test-guest.qcow2"), CancellationToken.None);
var layout = new SharedStorageLayout(storage, boot, qemuImg);
var a = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(root, "a") }, boot, TimeProvider.System);
var b = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(root, "b") }, boot, TimeProvider.System);
var heartbeat = new Regex(@"OCTOPUS-HEARTBEAT (\d+)");
var ct = CancellationToken.None;

try
{
    Console.WriteLine($"QEMU driver benchmark: {Environment.ProcessorCount} cores, guest 1 vCPU / 128 MiB, TCG (tb-size=32), {runs} runs");

    // 1. Create to running.
    var createTimes = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var vm = await NewVm($"bench-create-{i}");
        var sw = Stopwatch.StartNew();
        await a.CreateAsync(vm, ct);
        var launched = sw.Elapsed.TotalSeconds;
        await WaitForConsole(a, vm.Id, c => c.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal));
        createTimes.Add(sw.Elapsed.TotalSeconds);
        Console.WriteLine($"  create #{i + 1}: QEMU up in {launched:0.000} s, guest ready (serial marker) after {sw.Elapsed.TotalSeconds:0.00} s");
        await a.DeleteAsync(vm.Id, ct);
    }

    // 2. Live migration back and forth.
    var mvm = await NewVm("bench-migrate");
    await a.CreateAsync(mvm, ct);
    await WaitForConsole(a, mvm.Id, c => c.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal));
    var reports = new List<MigrationReport>();
    QemuNodeDriver from = a, to = b;
    for (var i = 0; i < runs; i++)
    {
        var before = LastHeartbeat(await from.ReadConsoleAsync(mvm.Id, 64 * 1024, ct));
        var report = await from.MigrateToAsync(mvm.Id, to, null, ct);
        await WaitForConsole(to, mvm.Id, c => LastHeartbeat(c) > before);
        reports.Add(report);
        Console.WriteLine($"  migrate #{i + 1}: total {report.TotalTime.TotalMilliseconds:0} ms, downtime {report.Downtime.TotalMilliseconds:0} ms, " +
                          $"RAM sent {report.RamTransferred / 1048576.0:0.0} MiB, wall (prepare→source gone) {report.WallTime.TotalMilliseconds:0} ms; heartbeat continued past {before}");
        (from, to) = (to, from);
    }
    await from.DeleteAsync(mvm.Id, ct);

    // 2b. Live migration without shared storage: the disk (an image of copyDiskMiB MiB of random data, so every block
    // must travel) is mirrored over NBD first.
    var filledRaw = Path.Combine(root, "filled.raw");
    await using (var f = File.Create(filledRaw))
    {
        var chunk = new byte[1 << 20];
        var filler = new Random(42); // fixed seed: the same incompressible disk every run
        for (var i = 0; i < copyDiskMiB; i++)
        {
            filler.NextBytes(chunk);
            await f.WriteAsync(chunk, ct);
        }
    }
    await RunQemuImg("convert", "-q", "-f", "raw", "-O", "qcow2", filledRaw, Path.Combine(storage, "images", "filled.qcow2"));
    File.Delete(filledRaw);
    var copyReports = new List<(MigrationReport Report, double Wall)>();
    for (var i = 0; i < runs; i++)
    {
        var cvm = await layout.SpecForAsync(VmId.New(), $"bench-copy-{i}", Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(copyDiskMiB), ImageName.Parse("filled")), ct);
        await a.CreateAsync(cvm, ct);
        await WaitForConsole(a, cvm.Id, c => c.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal));
        var before = LastHeartbeat(await a.ReadConsoleAsync(cvm.Id, 64 * 1024, ct));
        var report = await a.MigrateToAsync(cvm.Id, b, MigrationStorage.Copy, null, ct);
        await WaitForConsole(b, cvm.Id, c => LastHeartbeat(c) > before);
        copyReports.Add((report, report.WallTime.TotalMilliseconds));
        Console.WriteLine($"  migrate without shared storage #{i + 1} ({copyDiskMiB} MiB disk): wall {report.WallTime.TotalMilliseconds:0} ms " +
                          $"(disk mirror + RAM), RAM phase {report.TotalTime.TotalMilliseconds:0} ms, downtime {report.Downtime.TotalMilliseconds:0} ms");
        await b.DeleteAsync(cvm.Id, ct);
    }

    // 3. Idle overhead per VM.
    var idle = new List<VmRuntimeSpec>();
    for (var i = 0; i < idleVms; i++)
    {
        var vm = await NewVm($"bench-idle-{i}");
        await a.CreateAsync(vm, ct);
        idle.Add(vm);
    }
    foreach (var vm in idle) await WaitForConsole(a, vm.Id, c => c.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal));
    var cpuAtStart = idle.ToDictionary(vm => vm.Id, vm => a.GetUsage(vm.Id)!.CpuTime);
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var selfCpu0 = self.TotalProcessorTime;
    var window = Stopwatch.StartNew();
    // The agent's steady work per VM: a state query and a usage sample every second.
    while (window.Elapsed < TimeSpan.FromSeconds(idleSeconds))
    {
        foreach (var vm in idle) await a.GetStateAsync(vm.Id, ct);
        await a.ObserveAsync(ct);
        await Task.Delay(1000, ct);
    }
    // CPU over the whole window (one-second samples are at the 10 ms clock-tick resolution).
    var usages = idle.Select(vm => a.GetUsage(vm.Id)!)
        .Select(u => u with { CpuLoad = (u.CpuTime - cpuAtStart[u.Vm]) / window.Elapsed }).ToList();
    self.Refresh();
    var selfCpu = (self.TotalProcessorTime - selfCpu0).TotalSeconds / window.Elapsed.TotalSeconds;
    Console.WriteLine($"  idle: {idleVms} guests for {window.Elapsed.TotalSeconds:0} s");
    foreach (var u in usages)
        Console.WriteLine($"    pid {u.Pid}: RSS {u.RssBytes / 1048576.0:0} MiB, CPU {u.CpuLoad * 100:0.00} % of one core");

    // 5. The same through the agent path (signed HTTP, as the server drives agents).
    var agentPath = await AgentPath.RunAsync(root, storage, Path.Combine(storage, "images", "test-guest.qcow2"), boot, runs);

    Console.WriteLine();
    Console.WriteLine("Summary (median [min–max])");
    Console.WriteLine($"  create-to-running      {Stat(createTimes, "0.00")} s");
    Console.WriteLine($"  migration total time   {Stat(reports.Select(r => r.TotalTime.TotalMilliseconds), "0")} ms");
    Console.WriteLine($"  migration downtime     {Stat(reports.Select(r => r.Downtime.TotalMilliseconds), "0")} ms");
    Console.WriteLine($"  migration wall time    {Stat(reports.Select(r => r.WallTime.TotalMilliseconds), "0")} ms (includes starting the destination QEMU)");
    Console.WriteLine($"  no-shared-storage wall {Stat(copyReports.Select(r => r.Wall), "0")} ms for a {copyDiskMiB} MiB disk (NBD mirror + RAM)");
    Console.WriteLine($"  no-shared-storage down {Stat(copyReports.Select(r => r.Report.Downtime.TotalMilliseconds), "0")} ms");
    Console.WriteLine($"  QEMU RSS per VM        {Stat(usages.Select(u => u.RssBytes / 1048576.0), "0")} MiB");
    Console.WriteLine($"  QEMU CPU per idle VM   {Stat(usages.Select(u => u.CpuLoad * 100), "0.00")} % of one core");
    Console.WriteLine($"  agent path create      {Stat(agentPath.CreateSeconds, "0.00")} s (signed HTTP to an agent, until the serial ready marker)");
    Console.WriteLine($"  agent path migration  total {Stat(agentPath.Migrations.Select(m => m.TotalMs), "0")} ms, downtime {Stat(agentPath.Migrations.Select(m => m.DowntimeMs), "0")} ms, wall {Stat(agentPath.MigrationWallMs, "0")} ms (agent to agent over HTTP)");
    Console.WriteLine($"  driver (agent) process RSS {self.WorkingSet64 / 1048576.0:0} MiB total, CPU {selfCpu * 100 / idleVms:0.00} % of one core per VM");
    return 0;
}
finally
{
    foreach (var id in a.Vms) await a.DeleteAsync(id, ct);
    foreach (var id in b.Vms) await b.DeleteAsync(id, ct);
    await a.DisposeAsync();
    await b.DisposeAsync();
    Directory.Delete(root, recursive: true);
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    if (i < 0) return fallback;
    if (i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v >= 1) return v;
    Console.Error.WriteLine($"{name} needs a positive whole number.");
    Environment.Exit(2);
    return fallback;
}

Task<VmRuntimeSpec> NewVm(string name) =>
    layout.SpecForAsync(VmId.New(), name, Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), ImageName.Parse("test-guest")), ct);

int LastHeartbeat(string console)
{
    var m = heartbeat.Matches(console);
    return m.Count == 0 ? 0 : int.Parse(m[^1].Groups[1].Value, CultureInfo.InvariantCulture);
}

static async Task WaitForConsole(QemuNodeDriver driver, VmId vm, Func<string, bool> until)
{
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed < TimeSpan.FromSeconds(60))
    {
        if (until(await driver.ReadConsoleAsync(vm, 64 * 1024, CancellationToken.None))) return;
        await Task.Delay(50);
    }
    throw new DriverException($"VM {vm}: the console did not show what was awaited within 60 s.");
}

static async Task RunQemuImg(params string[] argv)
{
    var psi = new ProcessStartInfo("/usr/bin/qemu-img") { UseShellExecute = false };
    foreach (var x in argv) psi.ArgumentList.Add(x);
    using var p = Process.Start(psi)!;
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new DriverException($"qemu-img {argv[0]} failed.");
}

static string Stat(IEnumerable<double> values, string format)
{
    var v = values.Order().ToList();
    if (v.Count == 0) return "n/a";
    var median = v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    return $"{median.ToString(format, CultureInfo.InvariantCulture)} [{v[0].ToString(format, CultureInfo.InvariantCulture)}–{v[^1].ToString(format, CultureInfo.InvariantCulture)}]";
}

static string BuildGuest()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Octopus.slnx"))) dir = Path.GetDirectoryName(dir);
    if (dir is null) throw new DriverException("run the benchmark from inside the repository (scripts/build-test-guest is needed).");
    var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, UseShellExecute = false };
    psi.ArgumentList.Add(Path.Combine(dir, "scripts", "build-test-guest"));
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new DriverException("scripts/build-test-guest failed (see its messages above).");
    return output.Trim().Split('\n')[^1];
}
