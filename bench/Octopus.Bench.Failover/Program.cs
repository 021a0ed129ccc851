// Control-plane failover (issue 12's "must show"): a throwaway PostgreSQL (scripts/pg-test-cluster, durable settings),
// two server replicas on it (each a child process running `octopus serve`'s code path on a simulated cluster, sharing a
// data folder), then kill -9 and SIGSTOP of the leader --runs times each, with a client loop on both replicas; then
// create throughput on SQLite and PostgreSQL under the same client load. See README.md.
// Usage: dotnet run -c Release --project bench/Octopus.Bench.Failover -- [--runs 10] [--creates 500] [--clients 8] [--keep]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using Octopus.Contracts;
using Octopus.Server;

if (args.Length > 0 && args[0] == "--serve") return await ServeAsync(args);

var runs = Arg("--runs", 10);
var createCount = Arg("--creates", 500);
var clients = Arg("--clients", 8);
var keep = args.Contains("--keep");
if (runs < 1 || createCount < 1 || clients < 1) { Console.Error.WriteLine("error: --runs, --creates and --clients must be at least 1"); return 2; }

// The issue's bound: a follower takes over within 10 s of the leader's death or freeze.
var bound = TimeSpan.FromSeconds(10);
const string password = "bench-failover-admin-1";
var work = Directory.CreateTempSubdirectory("octopus-bench-failover-").FullName;
// Not inside `work` (mode 700): the PostgreSQL server runs as its own unprivileged user when this runs as root.
var pgDir = Path.Combine(Path.GetTempPath(), $"octopus-bench-failover-pg-{Environment.ProcessId}");
var problems = new List<string>();
var live = new List<ReplicaProcess>();
try
{
    var admin = await PgClusterAsync("start", pgDir, "--durable");
    Console.WriteLine($"PostgreSQL {await ScalarAsync(admin, "SHOW server_version")} on {new NpgsqlConnectionStringBuilder(admin).Host}:" +
        $"{new NpgsqlConnectionStringBuilder(admin).Port} (scripts/pg-test-cluster --durable: fsync and synchronous_commit on), " +
        $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");

    // ---- takeover: kill -9 and SIGSTOP of the leader ---------------------------------------------------------------
    var failoverDb = await CreateDatabaseAsync(admin, "failover");
    var shared = Path.Combine(work, "replicas");
    var failoverConfig = WriteConfig(Path.Combine(work, "failover.json"), "00:00:00.100");
    var pgStore = (string db) => new Dictionary<string, string> { ["Octopus__Store__Provider"] = "postgres", ["Octopus__Store__ConnectionString"] = db };
    var names = 0;
    async Task<ReplicaProcess> StartReplicaAsync()
    {
        var r = await ReplicaProcess.StartAsync(((char)('a' + names++ % 26)).ToString(), shared, failoverConfig, password, pgStore(failoverDb));
        live.Add(r);
        return r;
    }
    var pair = new List<ReplicaProcess> { await StartReplicaAsync() };
    await UntilAsync(async () => (await pair[0].ClusterAsync(TimeSpan.FromSeconds(5)))?.LeaderId == pair[0].Id, TimeSpan.FromSeconds(60), "the first replica leads");
    pair.Add(await StartReplicaAsync());
    await BothReadyAsync(pair);
    Console.WriteLine($"replicas {pair[0].Name} (pid {pair[0].Pid}) and {pair[1].Name} (pid {pair[1].Pid}) on one database; {runs} run(s) each of kill -9 and SIGSTOP of the leader");

    var takeovers = new Dictionary<string, List<double>> { ["kill"] = [], ["stop"] = [] };
    var survivor = new Dictionary<string, ClientLoad.Tally> { ["kill"] = new(), ["stop"] = new() };
    var victim = new Dictionary<string, ClientLoad.Tally> { ["kill"] = new(), ["stop"] = new() };
    var before = new ClientLoad.Tally();
    foreach (var kind in new[] { "kill", "stop" })
    {
        for (var run = 1; run <= runs; run++)
        {
            var view = await pair[0].ClusterAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"replica {pair[0].Name} does not answer");
            var leader = pair.Single(r => r.Id == view.LeaderId);
            var follower = pair.Single(r => r != leader);
            var load = ClientLoad.Start(pair, $"{kind}{run}");
            await Task.Delay(1000);
            load.MarkSignal();
            var clock = Stopwatch.StartNew();
            if (kind == "kill") leader.Kill(); else leader.Signal("STOP");
            double? took = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                var now = await follower.ClusterAsync(TimeSpan.FromSeconds(1));
                if (now is not null && now.LeaderId == follower.Id && now.Term > view.Term) { took = clock.Elapsed.TotalSeconds; break; }
                await Task.Delay(20);
            }
            await Task.Delay(1000);
            var tallies = await load.StopAsync();
            foreach (var ((name, after), tally) in tallies)
            {
                if (!after) before.AddAll(tally);
                else if (name == follower.Name) survivor[kind].AddAll(tally);
                else victim[kind].AddAll(tally);
            }
            var survivorNow = tallies.TryGetValue((follower.Name, true), out var s) ? s : new ClientLoad.Tally();
            Console.WriteLine($"  {(kind == "kill" ? "kill -9" : "SIGSTOP")} run {run}: leader {leader.Name} (term {view.Term}) -> {follower.Name} " +
                (took is { } t ? $"leads after {t:0.00} s" : "did NOT take over within 60 s") +
                $"; surviving replica answered {survivorNow.Requests - survivorNow.Errors}/{survivorNow.Requests}");
            if (took is null) { problems.Add($"{kind} run {run}: no takeover within 60 s"); Console.WriteLine(follower.Log); return Report(1); }
            takeovers[kind].Add(took.Value);
            if (took > bound.TotalSeconds) problems.Add($"{kind} run {run}: takeover {took:0.00} s > {bound.TotalSeconds} s");

            // Back to two replicas: a killed leader is started again (a new replica), a frozen one resumed (it must see
            // that it lost its term and follow).
            if (kind == "kill")
            {
                pair.Remove(leader);
                live.Remove(leader);
                await leader.DisposeAsync();
                pair.Add(await StartReplicaAsync());
            }
            else
            {
                leader.Signal("CONT");
            }
            await BothReadyAsync(pair);
        }
    }

    // ---- create throughput: SQLite vs PostgreSQL, same client load ----------------------------------------------------
    foreach (var r in live) await r.DisposeAsync();
    live.Clear();
    var throughputConfig = WriteConfig(Path.Combine(work, "throughput.json"), "00:00:00");
    var rows = new List<(string Store, double Rate, double P50, double P99, int Failed)>();
    foreach (var (label, replicas) in new[] { ("SQLite, one server", 1), ("PostgreSQL, one server", 1), ("PostgreSQL, two replicas", 2) })
    {
        var folder = Path.Combine(work, "throughput-" + rows.Count);
        var store = label.StartsWith("SQLite", StringComparison.Ordinal)
            ? new Dictionary<string, string> { ["Octopus__Store__Provider"] = "sqlite" }
            : pgStore(await CreateDatabaseAsync(admin, "throughput" + rows.Count));
        var servers = new List<ReplicaProcess>();
        for (var i = 0; i < replicas; i++)
        {
            var r = await ReplicaProcess.StartAsync("t" + i, folder, throughputConfig, password, store);
            live.Add(r);
            servers.Add(r);
        }
        await UntilAsync(async () => (await servers[0].ClusterAsync(TimeSpan.FromSeconds(5)))?.LeaderId is not null, TimeSpan.FromSeconds(60), "a leader");
        await CreatesAsync(servers, "warm", Math.Min(20, createCount), clients); // JIT, pools and caches warm, not measured
        var (rate, p50, p99, failed) = await CreatesAsync(servers, "vm", createCount, clients);
        rows.Add((label, rate, p50, p99, failed));
        if (failed > 0) problems.Add($"{label}: {failed} creates failed");
        foreach (var r in servers) { live.Remove(r); await r.DisposeAsync(); }
    }

    Console.WriteLine();
    Console.WriteLine($"takeover = from the signal until the follower's GET /api/v1/cluster names itself leader of a new term (polled every 20 ms)");
    Row("takeover after kill -9 of the leader", Summary(takeovers["kill"]));
    Row("takeover after SIGSTOP of the leader", Summary(takeovers["stop"]));
    Console.WriteLine("client requests (reads + creates, 2 loops per replica, 5 s bound), from the signal until 1 s after the takeover:");
    Row("before the signal, both replicas", Errors(before));
    Row("kill -9: via the surviving replica", Errors(survivor["kill"]));
    Row("kill -9: via the killed replica", Errors(victim["kill"]));
    Row("SIGSTOP: via the surviving replica", Errors(survivor["stop"]));
    Row("SIGSTOP: via the frozen replica", Errors(victim["stop"]));
    var bothKill = new ClientLoad.Tally(); bothKill.AddAll(survivor["kill"]); bothKill.AddAll(victim["kill"]);
    var bothStop = new ClientLoad.Tally(); bothStop.AddAll(survivor["stop"]); bothStop.AddAll(victim["stop"]);
    Row("kill -9: both replicas (no load balancer)", Errors(bothKill));
    Row("SIGSTOP: both replicas (no load balancer)", Errors(bothStop));
    Console.WriteLine($"create throughput: {createCount} creates by {clients} concurrent clients (POST /api/v1/vms, 201 each), zero operation delay:");
    foreach (var (store, rate, p50, p99, failed) in rows)
        Row(store, $"{rate:0.0} creates/s, latency p50 {p50:0} ms, p99 {p99:0} ms{(failed > 0 ? $", {failed} failed" : "")}");
    Console.WriteLine($"result: kill -9 median {Median(takeovers["kill"]):0.00} s, SIGSTOP median {Median(takeovers["stop"]):0.00} s, " +
        $"errors via survivor {Rate(survivor["kill"])}/{Rate(survivor["stop"])}, " +
        string.Join(", ", rows.Select(r => $"{r.Store} {r.Rate:0.0}/s")));
    return Report(problems.Count == 0 ? 0 : 1);
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    foreach (var r in live) Console.Error.WriteLine($"--- replica {r.Name} (pid {r.Pid}) log ---\n{r.Log}");
    return 1;
}
finally
{
    foreach (var r in live) await r.DisposeAsync();
    try { await PgClusterAsync("stop", pgDir); } catch (InvalidOperationException e) { Console.Error.WriteLine(e.Message); }
    if (keep) Console.WriteLine($"data kept in {work}");
    else try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

int Report(int code)
{
    foreach (var p in problems) Console.WriteLine($"FAILED: {p}");
    return code;
}

// Both replicas answer, agree on the leader, and the follower is seen alive by the leader (so it is trying the lock).
static async Task BothReadyAsync(List<ReplicaProcess> pair) =>
    await UntilAsync(async () =>
    {
        var views = await Task.WhenAll(pair.Select(r => r.ClusterAsync(TimeSpan.FromSeconds(5))));
        if (views.Any(v => v is null) || views[0]!.LeaderId is not { } leader || views[1]!.LeaderId != leader) return false;
        return pair.All(r => views[0]!.Replicas.Any(x => x.Id == r.Id && x.Alive)) && pair.Any(r => r.Id == leader);
    }, TimeSpan.FromSeconds(90), "both replicas up, one leading");

// `count` creates by `clients` concurrent loops, spread round-robin over the servers: creates/s from the first request to
// the last answer, latency p50 and p99 in ms, failures.
static async Task<(double Rate, double P50, double P99, int Failed)> CreatesAsync(List<ReplicaProcess> servers, string prefix, int count, int clients)
{
    var latencies = new ConcurrentBag<double>();
    var failed = 0;
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                using var r = await servers[i % servers.Count].Http.PostAsJsonAsync(ApiRoutes.Vms,
                    new VmCreateRequest($"{prefix}-{i:000000}", 1, 256L << 20, 1L << 30, "debian-12"));
                if (r.StatusCode == System.Net.HttpStatusCode.Created) latencies.Add(sw.Elapsed.TotalMilliseconds);
                else Interlocked.Increment(ref failed);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Interlocked.Increment(ref failed); }
        }
    })));
    var seconds = clock.Elapsed.TotalSeconds;
    return (latencies.Count / seconds, Percentile(latencies, 50), Percentile(latencies, 99), failed);
}

// The server half: `octopus serve`'s own code path, stopped when stdin closes.
static async Task<int> ServeAsync(string[] args)
{
    using var stop = new CancellationTokenSource();
    _ = Task.Run(async () => { while (await Console.In.ReadLineAsync() is not null) { } await stop.CancelAsync(); });
    var at = (string name) => args[Array.IndexOf(args, name) + 1];
    try
    {
        return await OctopusServer.RunAsync(new ServerCommandLine(Port: int.Parse(at("--port"), CultureInfo.InvariantCulture), DataDirectory: at("--data"),
            ConfigFile: at("--config"), Bind: "127.0.0.1"), Console.Out, stop.Token);
    }
    catch (OperationCanceledException) { return 0; }
}

// 8 simulated hosts far larger than the load needs (placement never refuses), consolidation off.
static string WriteConfig(string path, string operationDelay)
{
    File.WriteAllText(path, $$"""
        {
          "Octopus": {
            "Cluster": { "Hosts": [ { "NamePrefix": "fo", "Count": 8, "Cores": 512, "Memory": "4TiB", "Disk": "256TiB" } ] },
            "Scheduler": { "Interval": "00:00:01", "Consolidation": "off" },
            "Simulation": { "OperationDelay": "{{operationDelay}}", "PowerTransitionDelay": "00:00:00" }
          }
        }
        """);
    return path;
}

// scripts/pg-test-cluster, found from the repository root above this program (or the working folder).
static async Task<string> PgClusterAsync(params string[] command)
{
    var script = Path.Combine(RepositoryRoot(), "scripts", "pg-test-cluster");
    var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(script);
    start.ArgumentList.Add(command[0]);
    start.ArgumentList.Add("--dir");
    start.ArgumentList.Add(command[1]);
    foreach (var a in command.Skip(2)) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
    if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/pg-test-cluster {command[0]} failed ({process.ExitCode}): {await stderr}");
    return (await stdout).Trim();
}

static string RepositoryRoot()
{
    foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Octopus.slnx"))) return dir.FullName;
    throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above " + AppContext.BaseDirectory);
}

static async Task<string> CreateDatabaseAsync(string admin, string name)
{
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
    await create.ExecuteNonQueryAsync();
    return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
}

static async Task<string> ScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "?";
}

static async Task UntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
{
    var sw = Stopwatch.StartNew();
    while (!await done())
    {
        if (sw.Elapsed > timeout) throw new TimeoutException($"not {what} after {timeout.TotalSeconds} s");
        await Task.Delay(100);
    }
}

static string Summary(List<double> seconds) =>
    $"median {Median(seconds):0.00} s, min {seconds.Min():0.00} s, max {seconds.Max():0.00} s ({seconds.Count} runs)";

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Rate(ClientLoad.Tally t) => t.Requests == 0 ? "n/a" : $"{100.0 * t.Errors / t.Requests:0.0} %";

static string Errors(ClientLoad.Tally t) =>
    $"{t.Errors} errors of {t.Requests} requests ({Rate(t)})" +
    (t.Errors == 0 ? "" : ": " + string.Join(", ", t.ErrorsByReason.OrderByDescending(e => e.Value).Select(e => $"{e.Value} {e.Key}")));

static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    if (sorted.Length == 0) return double.NaN;
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static void Row(string name, string value) => Console.WriteLine($"  {name,-44} {value}");

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    if (i < 0 || i + 1 >= args.Length) return fallback;
    return int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{name} takes a whole number, not '{args[i + 1]}'");
}
