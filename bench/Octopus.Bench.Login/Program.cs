using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.Server;

// Benchmark: latency of an authenticated GET /api/v1/vms (p50, p95) while a login flood (wrong passwords for random
// names, as a password-spraying client would send) hits the same server, under three login configurations:
//   unbounded   — as before issue 15: no rate limit, no lockout, hashing as parallel as the flood
//   hash-bound  — no per-address limit (a flood from many addresses), hashing bounded to the default slots
//   defaults    — the shipped defaults (20 attempts per address per minute, hashing bounded)
// Each runs on a real Kestrel server on loopback. Usage:
//   dotnet run -c Release --project bench/Octopus.Bench.Login [-- --seconds N --flooders N]
var seconds = Arg("--seconds", 5);
var flooders = Arg("--flooders", 16);
Console.WriteLine($"GET /vms latency, quiet vs during a login flood of {flooders} concurrent clients ({seconds} s each); {Environment.ProcessorCount} cores");
Console.WriteLine($"{"configuration",-12} {"quiet p50",10} {"flood p50",10} {"flood p95",10} {"logins/s",9} {"429s",7}");
await RunAsync("unbounded", """ "PerAddressPermits": 100000, "MaxFailures": 1000, "HashConcurrency": 64, "HashQueue": 10000 """);
await RunAsync("hash-bound", """ "PerAddressPermits": 100000, "MaxFailures": 1000 """);
await RunAsync("defaults", "");

async Task RunAsync(string label, string login)
{
    var data = Directory.CreateTempSubdirectory("octopus-bench-login-").FullName;
    try
    {
        var config = Path.Combine(data, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Octopus": { "Cluster": { "Hosts": [ { "NamePrefix": "h", "Count": 3, "Cores": 8, "Memory": "16GiB", "Disk": "200GiB" } ] },
                           "Storage": { "Backend": "simulated" }, "Login": { {{login}} } } }
            """);
        var app = OctopusServer.Build(new ServerCommandLine(Port: 0, DataDirectory: data, ConfigFile: config),
            b => b.Logging.SetMinimumLevel(LogLevel.Error));
        await using var _ = app;
        await OctopusServer.PrepareStoreAsync(app.Services, "bench-admin-password", CancellationToken.None);
        await app.StartAsync();
        var url = new Uri(OctopusServer.ListeningUrl(app));

        using var user = new HttpClient { BaseAddress = url };
        var token = await (await user.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", "bench-admin-password"))).Content.ReadFromJsonAsync<TokenResponse>();
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        for (var i = 0; i < 20; i++) await user.GetAsync(ApiRoutes.Vms); // warm up

        var quiet = await MeasureAsync(user, TimeSpan.FromSeconds(seconds), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        long attempts = 0, refused = 0;
        using var flood = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = flooders }) { BaseAddress = url };
        var rng = new Random(7);
        var tasks = Enumerable.Range(0, flooders).Select(f => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var r = await flood.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest($"spray{f}x{Interlocked.Increment(ref attempts)}", "Password1!"), stop.Token);
                    if ((int)r.StatusCode == 429) Interlocked.Increment(ref refused);
                }
                catch (OperationCanceledException) { }
            }
        })).ToList();
        await Task.Delay(500); // let the flood reach its steady state
        var start = Interlocked.Read(ref attempts);
        var clock = Stopwatch.StartNew();
        var during = await MeasureAsync(user, TimeSpan.FromSeconds(seconds), CancellationToken.None);
        var rate = (Interlocked.Read(ref attempts) - start) / clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        await app.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-12} {quiet.P50,8:F1}ms {during.P50,8:F1}ms {during.P95,8:F1}ms {rate,9:F0} {refused,7}"));
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(data, true); } catch (IOException) { }
    }
}

static async Task<(double P50, double P95)> MeasureAsync(HttpClient http, TimeSpan length, CancellationToken ct)
{
    var samples = new List<double>();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < length)
    {
        var t = Stopwatch.GetTimestamp();
        (await http.GetAsync(ApiRoutes.Vms, ct)).EnsureSuccessStatusCode();
        samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
    samples.Sort();
    return (samples[samples.Count / 2], samples[(int)(samples.Count * 0.95)]);
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
