using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Two real <c>octopus serve</c> processes on one PostgreSQL database (started here, stopped by PID), sharing a data
/// folder: creates are acknowledged by both while the leader is killed with SIGKILL, then (after a third replica joins)
/// frozen with SIGSTOP and resumed with SIGCONT. Each time the follower takes over within 10 s, every acknowledged create
/// completes exactly once (one CreateVm operation per VM, succeeded), no VM is lost or made twice, and the frozen leader,
/// resumed, sees it lost its term and changes nothing. The takeover times are written to the test output.</summary>
public sealed class ReplicaFailoverTests
{
    private const string AdminPassword = "failover-admin-pw";
    private static readonly TimeSpan Takeover = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Leader_KilledThenFrozen_FollowerTakesOverWithin10s_AndEveryAcknowledgedCreateCompletesOnce()
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}.");
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-failover-").FullName;
        var replicas = new List<ServeReplica>();
        try
        {
            var a = await ServeReplica.StartAsync("a", database, folder, AdminPassword);
            replicas.Add(a);
            var b = await ServeReplica.StartAsync("b", database, folder, AdminPassword);
            replicas.Add(b);
            using var viaA = await LoginAsync(a.Url);
            using var viaB = await LoginAsync(b.Url);
            var cluster = await UntilAsync(viaB, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId is not null, TimeSpan.FromSeconds(30));
            var selfA = await SelfAsync(viaA);
            var selfB = await SelfAsync(viaB);
            cluster.LeaderId.Should().Be(selfA, "the first replica took the lock");

            // 1. SIGKILL the leader while creates are in flight through both replicas.
            var acknowledged = new ConcurrentBag<string>();
            var burst = CreateBurstAsync("k", 120, [viaA, viaB], acknowledged);
            await UntilAsync(() => acknowledged.Count >= 40);
            var killed = Stopwatch.StartNew();
            a.Signal("KILL");
            var afterKill = await UntilAsync(viaB, c => c.LeaderId == selfB && c.Term == 2, Takeover);
            var killTakeover = killed.Elapsed;
            await burst;
            afterKill.Term.Should().Be(2);

            await AllRunningExactlyOnceAsync(viaB, database, acknowledged);

            // 2. A third replica joins; SIGSTOP the leader (b) with creates in flight; c takes over; SIGCONT b.
            var c3 = await ServeReplica.StartAsync("c", database, folder, AdminPassword);
            replicas.Add(c3);
            using var viaC = await LoginAsync(c3.Url);
            var selfC = await SelfAsync(viaC);
            await UntilAsync(viaC, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId == selfB, TimeSpan.FromSeconds(30));
            var burst2 = CreateBurstAsync("s", 60, [viaB, viaC], acknowledged);
            await UntilAsync(() => acknowledged.Count(n => n.StartsWith('s')) >= 20);
            var frozen = Stopwatch.StartNew();
            b.Signal("STOP");
            var afterStop = await UntilAsync(viaC, c => c.LeaderId == selfC && c.Term == 3, Takeover);
            var stopTakeover = frozen.Elapsed;
            afterStop.Term.Should().Be(3);
            await burst2; // the creates sent to the frozen replica wait; those sent to c are acknowledged by c
            // More creates through the new leader while the old one is still frozen.
            await CreateBurstAsync("t", 10, [viaC], acknowledged);

            b.Signal("CONT");
            // The old leader notices it lost the term: it says so, and reports itself a follower.
            await UntilAsync(() => b.Log.Contains("following", StringComparison.Ordinal) || b.Log.Contains("stopped leading", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            var fromB = await UntilAsync(viaB, c => c.LeaderId == selfC, TimeSpan.FromSeconds(10));
            fromB.Term.Should().Be(3);
            (await viaB.GetStringAsync("/metrics")).Should().Contain($"octopus_leader{{replica=\"{selfB}\"}} 0");

            await AllRunningExactlyOnceAsync(viaC, database, acknowledged);
            // Nothing is claimed by the old leader's term after the takeover, and nothing it ran is still open.
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                await using var claimed = new NpgsqlCommand(
                    "SELECT count(*) FROM \"Operations\" WHERE \"ClaimTerm\" = 2 AND \"Status\" IN ('Pending', 'Running')", connection);
                ((long)(await claimed.ExecuteScalarAsync())!).Should().Be(0);
            }

            TestContext.Current.SendDiagnosticMessage(
                $"takeover after SIGKILL: {killTakeover.TotalSeconds:0.0} s; after SIGSTOP: {stopTakeover.TotalSeconds:0.0} s; " +
                $"{acknowledged.Count} acknowledged creates, all completed once");
            Console.WriteLine($"FAILOVER-FIGURES kill={killTakeover.TotalSeconds:0.00} stop={stopTakeover.TotalSeconds:0.00} creates={acknowledged.Count}");
            killTakeover.Should().BeLessThan(Takeover);
            stopTakeover.Should().BeLessThan(Takeover);
        }
        catch
        {
            foreach (var r in replicas) TestContext.Current.SendDiagnosticMessage($"--- replica {r.Name} log ---\n{r.Log}");
            throw;
        }
        finally
        {
            foreach (var r in replicas) await r.DisposeAsync();
            await PostgresTestCluster.DropDatabaseAsync(database);
            try { Directory.Delete(folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Sends <paramref name="count"/> creates, 8 at a time, round-robin over the replicas; a 201 is an acknowledged
    /// create. A replica that is down or frozen may fail or time out a request: that create was not acknowledged.</summary>
    private static async Task CreateBurstAsync(string prefix, int count, HttpClient[] via, ConcurrentBag<string> acknowledged)
    {
        using var gate = new SemaphoreSlim(8);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var name = $"{prefix}{i:000}";
                using var r = await via[i % via.Length].PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(name, 1, 256L << 20, 1L << 30, "debian-12"));
                if (r.StatusCode == HttpStatusCode.Created) acknowledged.Add(name);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not acknowledged (the replica died or froze while answering).
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
    }

    /// <summary>Every acknowledged VM exists once and runs; each VM has exactly one CreateVm operation, succeeded.</summary>
    private static async Task AllRunningExactlyOnceAsync(HttpClient http, string database, IReadOnlyCollection<string> acknowledged)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        List<VmDto> vms;
        while (true)
        {
            vms = await ListVmsAsync(http);
            var running = vms.Where(v => v.State == "Running").Select(v => v.Name).ToHashSet();
            if (acknowledged.All(running.Contains)) break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not all acknowledged VMs run: missing or not running: {string.Join(", ", acknowledged.Where(n => !running.Contains(n)).Take(20))}; " +
                    $"states: {string.Join(", ", vms.GroupBy(v => v.State).Select(g => $"{g.Key}={g.Count()}"))}");
            await Task.Delay(250);
        }
        vms.Select(v => v.Name).Should().OnlyHaveUniqueItems();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT v.\"Name\", count(o.\"Id\"), count(o.\"Id\") FILTER (WHERE o.\"Status\" = 'Succeeded') FROM \"Vms\" v " +
            "LEFT JOIN \"Operations\" o ON o.\"VmId\" = v.\"Id\" AND o.\"Kind\" = 'CreateVm' GROUP BY v.\"Name\"", connection);
        await using var reader = await query.ExecuteReaderAsync();
        var wanted = acknowledged.ToHashSet();
        var seen = 0;
        while (await reader.ReadAsync())
        {
            var (name, creates, succeeded) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
            creates.Should().Be(1, $"{name} has exactly one CreateVm operation");
            if (!wanted.Contains(name)) continue; // a create a frozen replica answered too late may still be on its way
            seen++;
            succeeded.Should().Be(1, $"{name}'s create succeeded once");
        }
        seen.Should().Be(wanted.Count);
    }

    private static async Task<List<VmDto>> ListVmsAsync(HttpClient http)
    {
        var all = new List<VmDto>();
        string? cursor = null;
        do
        {
            var page = (await http.GetFromJsonAsync<Page<VmDto>>(ApiRoutes.Vms + "?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), System.Text.Json.JsonSerializerOptions.Web))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }

    private static async Task<HttpClient> LoginAsync(string url)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(15) };
        var token = await (await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", AdminPassword))).Content
            .ReadFromJsonAsync<TokenResponse>(System.Text.Json.JsonSerializerOptions.Web);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        return http;
    }

    private static async Task<Guid> SelfAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, System.Text.Json.JsonSerializerOptions.Web))!.Self;

    /// <summary>Polls <c>GET /api/v1/cluster</c> every 50 ms until <paramref name="done"/>; a failed poll is retried.</summary>
    private static async Task<ClusterDto> UntilAsync(HttpClient http, Func<ClusterDto, bool> done, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        ClusterDto? last = null;
        while (deadline.Elapsed < within)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                last = await http.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, System.Text.Json.JsonSerializerOptions.Web, cts.Token);
                if (last is not null && done(last)) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the cluster did not reach the expected state within {within.TotalSeconds} s; last: term {last?.Term}, leader {last?.LeaderId}");
    }

    private static async Task UntilAsync(Func<bool> done, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            if (deadline.Elapsed > (within ?? TimeSpan.FromSeconds(60))) throw new TimeoutException("condition not reached");
            await Task.Delay(20);
        }
    }
}
