using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The database fails over under two replicas: a PostgreSQL primary and a synchronous streaming standby
/// (<c>pg_basebackup -R</c>, <see cref="PostgresHaPair"/>), two real <c>octopus serve</c> processes on the multi-host
/// connection string, creates flowing through both. The primary crashes (immediate shutdown) and the standby is promoted
/// at once, as an HA manager would after noticing. Both replicas reconnect through the connection string to the new
/// primary and carry on: creates through each are acknowledged again, a leader holds a new term on the new primary,
/// every acknowledged create (before and after) exists once and runs, and a create that met the failover was answered 503
/// store.unavailable (retry), not 500. The outage (the longest time without an
/// acknowledged create through each replica) is written to the test output.</summary>
public sealed class DatabaseFailoverTests
{
    private const string AdminPassword = "db-failover-admin-pw";

    [Fact]
    public async Task PrimaryCrashes_StandbyPromoted_ReplicasReconnectThroughTheMultiHostString_AndCarryOn()
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}.");
        await using var database = await PostgresHaPair.StartAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-db-failover-").FullName;
        var replicas = new List<ServeReplica>();
        try
        {
            replicas.Add(await ServeReplica.StartAsync("a", database.MultiHostConnectionString, folder, AdminPassword));
            replicas.Add(await ServeReplica.StartAsync("b", database.MultiHostConnectionString, folder, AdminPassword));
            using var viaA = await LoginAsync(replicas[0].Url);
            using var viaB = await LoginAsync(replicas[1].Url);
            var before = await UntilAsync(viaB, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId is not null, TimeSpan.FromSeconds(60));

            var acknowledged = new ConcurrentDictionary<string, TimeSpan>();
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var reasons = new ConcurrentDictionary<string, int>();
            var loops = new[] { CreateLoopAsync("a", viaA, clock, acknowledged, reasons, stop.Token), CreateLoopAsync("b", viaB, clock, acknowledged, reasons, stop.Token) };
            await UntilAsync(() => acknowledged.Count >= 10, TimeSpan.FromSeconds(60));

            var crashedAt = clock.Elapsed;
            await database.CrashPrimaryAsync();
            await database.PromoteStandbyAsync();
            var promotedAt = clock.Elapsed;

            // Carried on: a create acknowledged through each replica after the crash; a leader in a new term.
            await UntilAsync(() => acknowledged.Any(a => a.Key.StartsWith('a') && a.Value > promotedAt) &&
                acknowledged.Any(a => a.Key.StartsWith('b') && a.Value > promotedAt), TimeSpan.FromSeconds(60));
            var after = await UntilAsync(viaA, c => c.LeaderId is not null && c.Term > before.Term, TimeSpan.FromSeconds(30));
            var leaderAt = clock.Elapsed - crashedAt;
            var count = acknowledged.Count;
            await UntilAsync(() => acknowledged.Count >= count + 10, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            var errors = (await Task.WhenAll(loops)).Sum();
            // The outage a client of each replica saw: the longest time between two acknowledged creates (one at a time,
            // 100 ms apart, so about the request's latency plus 0.1 s when nothing fails).
            var outageA = LongestGap(acknowledged, 'a');
            var outageB = LongestGap(acknowledged, 'b');

            // Nothing acknowledged was lost (the standby was synchronous) or made twice, and the new leader ran it all.
            var running = await UntilAllRunningAsync(viaB, acknowledged.Keys);
            running.Should().OnlyHaveUniqueItems();
            TestContext.Current.SendDiagnosticMessage(
                $"database failover: primary crashed, standby promoted {(promotedAt - crashedAt).TotalSeconds:0.0} s after the crash command began; " +
                $"longest time without an acknowledged create: {outageA.TotalSeconds:0.0} s through a, {outageB.TotalSeconds:0.0} s through b; leader in term {after.Term} " +
                $"(was {before.Term}) seen {leaderAt.TotalSeconds:0.0} s after the crash; {acknowledged.Count} creates acknowledged, {errors} refused or failed " +
                $"({string.Join("; ", reasons.Select(r => $"{r.Value}x {r.Key}"))}), all Running once");
            Console.WriteLine($"DB-FAILOVER-FIGURES outage={Math.Max(outageA.TotalSeconds, outageB.TotalSeconds):0.00} leader={leaderAt.TotalSeconds:0.00} errors={errors} creates={acknowledged.Count}");
            after.LeaderId.Should().NotBeNull();
            // A request that met the failover is told to retry (503 store.unavailable), never an internal error.
            reasons.Keys.Should().NotContain(r => r.StartsWith("HTTP 500", StringComparison.Ordinal));
        }
        catch
        {
            foreach (var r in replicas) TestContext.Current.SendDiagnosticMessage($"--- replica {r.Name} log ---\n{r.Log}");
            throw;
        }
        finally
        {
            foreach (var r in replicas) await r.DisposeAsync();
            try { Directory.Delete(folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static TimeSpan LongestGap(ConcurrentDictionary<string, TimeSpan> acknowledged, char replica)
    {
        var times = acknowledged.Where(a => a.Key[0] == replica).Select(a => a.Value).Order().ToList();
        return times.Zip(times.Skip(1), (earlier, later) => later - earlier).Max();
    }

    /// <summary>Creates VMs through one replica, one at a time, 100 ms apart, recording when each was acknowledged (201);
    /// returns how many were refused or failed (any other answer, a broken connection, no answer within 10 s).</summary>
    private static async Task<int> CreateLoopAsync(string prefix, HttpClient http, Stopwatch clock, ConcurrentDictionary<string, TimeSpan> acknowledged,
        ConcurrentDictionary<string, int> reasons, CancellationToken stop)
    {
        var failed = 0;
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var name = $"{prefix}{i:0000}";
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var r = await http.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(name, 1, 256L << 20, 1L << 30, "debian-12"), bound.Token);
                if (r.StatusCode == HttpStatusCode.Created) acknowledged[name] = clock.Elapsed;
                else
                {
                    failed++;
                    var body = await r.Content.ReadAsStringAsync(CancellationToken.None);
                    reasons.AddOrUpdate($"HTTP {(int)r.StatusCode} {body[..Math.Min(160, body.Length)]}", 1, (_, n) => n + 1);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failed++;
                reasons.AddOrUpdate(e.GetType().Name + ": " + e.Message, 1, (_, n) => n + 1);
            }
            try { await Task.Delay(100, stop); } catch (OperationCanceledException) { break; }
        }
        return failed;
    }

    /// <summary>Waits until every acknowledged VM runs; returns the names of all VMs listed.</summary>
    private static async Task<List<string>> UntilAllRunningAsync(HttpClient http, ICollection<string> acknowledged)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var page = (await http.GetFromJsonAsync<Page<VmDto>>(ApiRoutes.Vms + "?limit=500", JsonSerializerOptions.Web))!;
            page.NextCursor.Should().BeNull("the test creates fewer than 500 VMs");
            var running = page.Items.Where(v => v.State == "Running").Select(v => v.Name).ToHashSet();
            if (acknowledged.All(running.Contains)) return [.. page.Items.Select(v => v.Name)];
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
                throw new TimeoutException($"not every acknowledged VM runs; missing or not running: {string.Join(", ", acknowledged.Where(n => !running.Contains(n)).Take(20))}");
            await Task.Delay(250);
        }
    }

    private static async Task<HttpClient> LoginAsync(string url)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(15) };
        var token = await (await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", AdminPassword))).Content
            .ReadFromJsonAsync<TokenResponse>(JsonSerializerOptions.Web);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        return http;
    }

    private static async Task<ClusterDto> UntilAsync(HttpClient http, Func<ClusterDto, bool> done, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        ClusterDto? last = null;
        while (deadline.Elapsed < within)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                last = await http.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, JsonSerializerOptions.Web, cts.Token);
                if (last is not null && done(last)) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the cluster did not reach the expected state within {within.TotalSeconds} s; last: term {last?.Term}, leader {last?.LeaderId}");
    }

    private static async Task UntilAsync(Func<bool> done, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            if (deadline.Elapsed > within) throw new TimeoutException("condition not reached");
            await Task.Delay(20);
        }
    }
}
