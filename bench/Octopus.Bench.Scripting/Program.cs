// Stopping many VMs from a script: one call at a time, pipelined single calls, or one bulk request.
// Starts a real Octopus server in this process on a free loopback port (Kestrel, simulated cluster, 10 ms simulated
// operations), creates --vms VMs, then stops them all three ways (restarting them in between) and prints the times and
// ratios. Usage: dotnet run -c Release --project bench/Octopus.Bench.Scripting -- [--vms 500] [--concurrency 16]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Server;

var vmCount = Arg("--vms", 500);
var concurrency = Arg("--concurrency", 16);
var hosts = Math.Max(4, vmCount / 25 + 1);
var data = Directory.CreateTempSubdirectory("octopus-bench-scripting-").FullName;
const string password = "bench-admin-password-1";
try
{
    var config = Path.Combine(data, "bench-config.json");
    await File.WriteAllTextAsync(config, $$"""
        {
          "Logging": { "LogLevel": { "Default": "Warning" } },
          "Octopus": {
            "Cluster": { "Hosts": [ { "NamePrefix": "b", "Count": {{hosts}}, "Cores": 64, "Memory": "256GiB", "Disk": "4TiB" } ] },
            "Scheduler": { "Interval": "00:00:00.05" },
            "Simulation": { "OperationDelay": "00:00:00.010", "PowerTransitionDelay": "00:00:00" }
          }
        }
        """);
    var port = FreePort();
    var app = OctopusServer.Build(new ServerCommandLine(Port: port, DataDirectory: data, ConfigFile: config, Bind: "127.0.0.1"));
    await OctopusServer.PrepareStoreAsync(app.Services, password, CancellationToken.None);
    await app.StartAsync();
    try
    {
        var url = new Uri($"http://127.0.0.1:{port}");
        var token = await OctopusClient.LoginAsync(url, "admin", password);
        using var octopus = new OctopusClient(url, token.Token, new OctopusClientOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        await octopus.Plan.SetModeAsync("off"); // no consolidation migrations racing the stops

        Console.WriteLine($"server on {url} ({hosts} simulated hosts); creating {vmCount} VMs ({concurrency} requests in flight)...");
        var sw = Stopwatch.StartNew();
        var names = Enumerable.Range(1, vmCount).Select(i => $"bench-{i:0000}").ToArray();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (name, ct) =>
            await octopus.Vms.CreateAsync(new VmCreateRequest(name, 1, 256L << 20, 1L << 30, "debian-12", ["bench"]), ct));
        await WaitAllAsync(octopus, VmStates.Running, vmCount);
        Console.WriteLine($"created and running in {sw.Elapsed.TotalSeconds:0.00} s");

        var ids = (await octopus.Vms.AllAsync(new VmQuery(Tag: "bench", State: VmStates.Running))).Select(v => v.Id).ToArray();
        var results = new List<(string Way, double Seconds)>();

        results.Add(("sequential", await TimeStopAsync(octopus, ids, "sequential (one call at a time)", async () =>
        {
            foreach (var id in ids) await octopus.Vms.StopAsync(id);
        })));
        results.Add(("pipelined", await TimeStopAsync(octopus, ids, $"pipelined ({concurrency} calls in flight)", async () =>
            Check(await octopus.Vms.PipelineAsync("stop", ids, concurrency)))));
        results.Add(("bulk", await TimeStopAsync(octopus, ids, $"bulk (POST {ApiRoutes.VmActions}, {VmOperations.BulkChunkSize} per request)", async () =>
            Check(await octopus.Vms.StopManyAsync(ids)))));

        var baseline = results[0].Seconds;
        Console.WriteLine();
        Console.WriteLine($"{"way",-12} {"stop " + ids.Length + " VMs",14} {"VMs/s",9} {"vs sequential",14}");
        foreach (var (way, s) in results)
            Console.WriteLine($"{way,-12} {s,12:0.000} s {ids.Length / s,9:0} {baseline / s,13:0.0}x");
        var bulk = results[^1].Seconds;
        Console.WriteLine($"result: {ids.Length} VMs stopped in {bulk:0.000} s in bulk, {results[1].Seconds:0.000} s pipelined, {baseline:0.000} s one by one ({baseline / bulk:0.0}x faster in bulk)");
    }
    finally
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
finally
{
    try { Directory.Delete(data, recursive: true); } catch (IOException) { }
}
return 0;

// Times the stop requests (until every one is accepted), then waits for Stopped and starts them all again for the next way.
static async Task<double> TimeStopAsync(OctopusClient octopus, string[] ids, string label, Func<Task> stop)
{
    var sw = Stopwatch.StartNew();
    await stop();
    var seconds = sw.Elapsed.TotalSeconds;
    await WaitAllAsync(octopus, VmStates.Stopped, ids.Length);
    Console.WriteLine($"{label}: {ids.Length} stops accepted in {seconds:0.000} s; all Stopped after {sw.Elapsed.TotalSeconds:0.000} s");
    Check(await octopus.Vms.StartManyAsync(ids));
    await WaitAllAsync(octopus, VmStates.Running, ids.Length);
    return seconds;
}

// Waits until count bench VMs are in state, or until none is in flight any more (a VM the server marked Failed is
// reported and left out rather than waited for).
static async Task WaitAllAsync(OctopusClient octopus, string state, int count)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        var vms = await octopus.Vms.AllAsync(new VmQuery(Tag: "bench"));
        var n = vms.Count(v => v.Is(state));
        if (n >= count) return;
        if (!vms.Any(v => VmStates.IsTransitional(v.State) || v.Is(VmStates.Pending)) && clock.Elapsed > TimeSpan.FromSeconds(2))
        {
            Console.WriteLine($"warning: {count - n} VMs did not reach {state}: " +
                string.Join("; ", vms.Where(v => !v.Is(state)).Take(3).Select(v => $"{v.Name} {v.State} {v.StatusReason}")));
            return;
        }
        if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"only {n} of {count} VMs reached {state} in 10 minutes");
        await Task.Delay(100);
    }
}

static void Check(VmBulkActionResponse response)
{
    if (response.Failed > 0)
        Console.WriteLine($"{response.Failed} VMs refused {response.Action}: {response.Results.First(r => !r.Ok).Message}");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
