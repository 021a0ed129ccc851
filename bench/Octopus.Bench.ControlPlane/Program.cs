// The control plane under load: a real Octopus server (simulated cluster, zero operation delays) in a child process on
// loopback, client threads creating VMs through the REST API, then the figures issue 17 asks for. See README.md.
// Usage: dotnet run -c Release --project bench/Octopus.Bench.ControlPlane -- [--hosts 1000] [--vms 10000] [--clients 16]
//        [--bulk 1000] [--interval 00:00:01]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Server;

if (args.Length > 0 && args[0] == "--serve") return await ServeAsync(args);

var hostCount = Arg("--hosts", 1000);
var vmCount = Arg("--vms", 10_000);
var clients = Arg("--clients", 16);
var bulkCount = Math.Min(Arg("--bulk", 1000), vmCount);
var interval = TimeSpan.Parse(ArgText("--interval", "00:00:01"), CultureInfo.InvariantCulture);
if (hostCount < 1 || vmCount < 1 || clients < 1) { Console.Error.WriteLine("--hosts, --vms and --clients must be at least 1"); return 2; }

var data = Directory.CreateTempSubdirectory("octopus-bench-controlplane-").FullName;
const string password = "bench-admin-password-1";
var keep = args.Contains("--keep");
try
{
    // 64-core, 256 GiB hosts; VMs of 1-2 vCPUs and 1-2 GiB: 10,000 VMs fill about 230 of 1,000 hosts (pack).
    var config = Path.Combine(data, "bench-config.json");
    await File.WriteAllTextAsync(config, $$"""
        {
          "Octopus": {
            "Cluster": { "Hosts": [ { "NamePrefix": "cp", "Count": {{hostCount}}, "Cores": 64, "Memory": "256GiB", "Disk": "8TiB" } ] },
            "Scheduler": { "Interval": "{{interval:c}}", "Consolidation": "off" },
            "Simulation": { "OperationDelay": "00:00:00", "PowerTransitionDelay": "00:00:00" }
          }
        }
        """);
    var serverData = Path.Combine(data, "server");
    var log = Path.Combine(data, "server.log");
    await using var server = await ServerProcess.StartAsync(serverData, config, password, log);
    var token = await OctopusClient.LoginAsync(server.Url, "admin", password);
    using var octopus = new OctopusClient(server.Url, token.Token);
    using var probe = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(100) };
    await WaitAsync(() => HostsOnAsync(probe, hostCount), TimeSpan.FromMinutes(5), "every host On");
    Console.WriteLine($"server pid {server.Pid} on {server.Url}: {hostCount} simulated hosts; {clients} clients create {vmCount} VMs");

    // ---- creates, with health probed alongside ------------------------------------------------------------------
    var latencies = new ConcurrentBag<double>();
    var ids = new ConcurrentBag<string>();
    var failures = new ConcurrentDictionary<string, int>();
    var healthLatencies = new List<double>();
    using var stopHealth = new CancellationTokenSource();
    var health = Task.Run(async () =>
    {
        while (!stopHealth.IsCancellationRequested)
        {
            var sw = Stopwatch.StartNew();
            using (var r = await probe.GetAsync(new Uri("/api/v1/health", UriKind.Relative))) r.EnsureSuccessStatusCode();
            healthLatencies.Add(sw.Elapsed.TotalMilliseconds);
            try { await Task.Delay(100, stopHealth.Token); } catch (OperationCanceledException) { }
        }
    });
    var cpu0 = server.CpuTime();
    var next = -1;
    var total = Stopwatch.StartNew();
    var progress = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < vmCount)
        {
            var request = new VmCreateRequest($"cp-{i:000000}", 1 + i % 2, (1L + i % 2) << 30, 10L << 30, "debian-12", ["bench"]);
            var sw = Stopwatch.StartNew();
            try
            {
                var vm = await octopus.Vms.CreateAsync(request);
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                ids.Add(vm.Id);
            }
            catch (OctopusApiException e) { failures.AddOrUpdate(e.Message, 1, (_, n) => n + 1); }
            if (i > 0 && i % Math.Max(1, vmCount / 10) == 0)
                Console.WriteLine($"  {i} created, {i / total.Elapsed.TotalSeconds:0} creates/s so far, last latency {sw.Elapsed.TotalMilliseconds:0} ms");
        }
    })).ToArray();
    await Task.WhenAll(threads);
    var createSeconds = total.Elapsed.TotalSeconds;
    var cpuCreates = server.CpuTime() - cpu0;
    await stopHealth.CancelAsync();
    await health;
    foreach (var (message, n) in failures) Console.WriteLine($"  {n} creates refused: {message}");

    // ---- every VM Running -------------------------------------------------------------------------------------------
    var settle = Stopwatch.StartNew();
    await WaitAsync(async () => await CountAsync(probe, "Running") >= ids.Count, TimeSpan.FromMinutes(60), $"{ids.Count} VMs Running");
    var runningAfter = settle.Elapsed.TotalSeconds;
    var cpuAll = server.CpuTime() - cpu0;

    // ---- list pages (100 VMs each, following cursors) -----------------------------------------------------------------
    var pageLatencies = new List<double>();
    string? cursor = null;
    for (var p = 0; p < 30; p++)
    {
        var sw = Stopwatch.StartNew();
        var page = await octopus.Vms.ListPageAsync(cursor: cursor, limit: 100);
        pageLatencies.Add(sw.Elapsed.TotalMilliseconds);
        cursor = page.NextCursor;
    }
    var storeBytes = Directory.EnumerateFiles(serverData, "octopus.db*").Sum(f => new FileInfo(f).Length);

    // ---- bulk stop ------------------------------------------------------------------------------------------------------
    var stopIds = ids.Take(bulkCount).ToList();
    var bulk = Stopwatch.StartNew();
    var stopped = await octopus.Vms.StopManyAsync(stopIds);
    var accepted = bulk.Elapsed.TotalSeconds;
    await WaitAsync(async () => await CountAsync(probe, "Stopped") >= stopped.Succeeded, TimeSpan.FromMinutes(30), $"{stopped.Succeeded} VMs Stopped");
    var bulkSeconds = bulk.Elapsed.TotalSeconds;
    var peakRss = server.PeakRssBytes();

    var created = latencies.Count;
    Console.WriteLine();
    Console.WriteLine($"hosts {hostCount}, VMs {vmCount} ({created} created, {vmCount - created} refused), {clients} client threads, " +
        $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
    Row("creates/s (sustained to the last VM)", $"{created / createSeconds:0.0}");
    Row("server CPU per create, during creates", $"{cpuCreates.TotalMilliseconds / Math.Max(1, created):0.0} ms");
    Row("server CPU per create, until all Running", $"{cpuAll.TotalMilliseconds / Math.Max(1, created):0.0} ms");
    Row("create latency p50 / p99", $"{Percentile(latencies, 50):0} / {Percentile(latencies, 99):0} ms");
    Row("every VM Running after the last create", $"{runningAfter:0.0} s");
    Row("health p99 during creates", $"{Percentile(healthLatencies, 99):0} ms ({healthLatencies.Count} probes)");
    Row("VM list page (100) p50", $"{Percentile(pageLatencies, 50):0.0} ms");
    Row("store per VM", $"{storeBytes / (double)Math.Max(1, created) / 1024:0.0} KB ({storeBytes / 1048576.0:0.0} MiB in all)");
    Row("server peak RSS", $"{peakRss / 1048576.0:0} MiB");
    Row($"bulk stop of {stopIds.Count} VMs, all Stopped", $"{bulkSeconds:0.00} s (accepted in {accepted:0.00} s, {stopped.Failed} refused)");
    Console.WriteLine($"result: {created / createSeconds:0.0} creates/s, {cpuCreates.TotalMilliseconds / Math.Max(1, created):0.0} ms CPU/create, " +
        $"p99 {Percentile(latencies, 99):0} ms, Running +{runningAfter:0.0} s, bulk stop {bulkSeconds:0.00} s");
    if (keep) Console.WriteLine($"data kept in {data}");
    return created == vmCount && stopped.Failed == 0 ? 0 : 1;
}
finally
{
    if (!keep) try { Directory.Delete(data, recursive: true); } catch (IOException) { }
}

// The server half: `octopus serve`'s own code path, stopped when stdin closes.
static async Task<int> ServeAsync(string[] args)
{
    using var stop = new CancellationTokenSource();
    _ = Task.Run(async () => { while (await Console.In.ReadLineAsync() is not null) { } await stop.CancelAsync(); });
    var at = (string name) => args[Array.IndexOf(args, name) + 1];
    try
    {
        return await OctopusServer.RunAsync(new ServerCommandLine(Port: 0, DataDirectory: at("--data"), ConfigFile: at("--config"), Bind: "127.0.0.1"),
            Console.Out, stop.Token);
    }
    catch (OperationCanceledException) { return 0; }
}

static async Task<bool> HostsOnAsync(HttpClient http, int hosts)
{
    var h = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<HealthDto>(http, "/api/v1/health");
    return h is not null && h.HostsOn >= hosts;
}

// VMs in a state, read from /metrics (octopus_vms{state="Running"} 123).
static async Task<int> CountAsync(HttpClient http, string state)
{
    var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    var m = Regex.Match(text, $"^octopus_vms\\{{state=\"{state}\"\\}} (\\d+)", RegexOptions.Multiline);
    return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
}

static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
{
    var sw = Stopwatch.StartNew();
    while (!await done())
    {
        if (sw.Elapsed > timeout) throw new TimeoutException($"not {what} after {timeout}");
        await Task.Delay(100);
    }
}

static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    if (sorted.Length == 0) return double.NaN;
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static void Row(string name, string value) => Console.WriteLine($"  {name,-44} {value}");

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

int Arg(string name, int fallback) => int.Parse(ArgText(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string ArgText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
