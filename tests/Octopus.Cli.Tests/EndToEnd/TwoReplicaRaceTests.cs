using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The quota and duplicate-name races (QuotaRaceTests) with two real <c>octopus serve</c> replicas on one
/// PostgreSQL database taking the racing requests at the same time, half each: the owner's quota lock row and the
/// unique name index hold across processes, so no more VMs get in than the quota allows and one name is one VM.</summary>
public sealed class TwoReplicaRaceTests
{
    private const string AdminPassword = "race-admin-pw";
    private const int Racers = 40;

    [Fact]
    public async Task QuotaAndNameRaces_SplitOverTwoReplicas_HoldExactly()
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}.");
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-race-").FullName;
        var replicas = new List<ServeReplica>();
        try
        {
            replicas.Add(await ServeReplica.StartAsync("a", database, folder, AdminPassword));
            replicas.Add(await ServeReplica.StartAsync("b", database, folder, AdminPassword));
            using var admin = await LoginAsync(replicas[0].Url, "admin", AdminPassword);
            foreach (var (name, limits) in new[] { ("racer", new QuotaDto(MaxVms: 5)), ("namer", new QuotaDto(MaxVms: 100, MaxCores: 100, MaxMemoryBytes: 1L << 40, MaxDiskBytes: 1L << 42)) })
                (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest(name, "password-" + name, "user", limits))).EnsureSuccessStatusCode();

            // Quota: 40 creates at MaxVms 5, half through each replica, released together.
            HttpClient[] racer = [await LoginAsync(replicas[0].Url, "racer", "password-racer"), await LoginAsync(replicas[1].Url, "racer", "password-racer")];
            var quota = await RaceAsync(i => racer[i % 2].PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest($"vm{i}", 1, 256L << 20, 1L << 30, "debian-12")));
            quota.Count(r => r.Status == HttpStatusCode.Created).Should().Be(5, Describe(quota));
            quota.Where(r => r.Status != HttpStatusCode.Created).Should().AllSatisfy(r =>
            {
                r.Status.Should().Be(HttpStatusCode.Forbidden, r.Detail);
                r.Detail.Should().Contain("Quota exceeded for VMs: the quota is 5, 5 in use");
            });

            // Name: 40 creates of one name, half through each replica.
            HttpClient[] namer = [await LoginAsync(replicas[0].Url, "namer", "password-namer"), await LoginAsync(replicas[1].Url, "namer", "password-namer")];
            var names = await RaceAsync(i => namer[i % 2].PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("same", 1, 256L << 20, 1L << 30, "debian-12")));
            names.Count(r => r.Status == HttpStatusCode.Created).Should().Be(1, Describe(names));
            names.Where(r => r.Status != HttpStatusCode.Created).Should().AllSatisfy(r =>
            {
                r.Status.Should().Be(HttpStatusCode.Conflict, r.Detail);
                r.Detail.Should().Contain("'same'");
            });

            // Both replicas answered some of each race, and the store agrees.
            quota.Select(r => r.Replica).Distinct().Should().HaveCount(2);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT u.\"Name\", count(v.\"Id\") FROM \"Vms\" v JOIN \"Users\" u ON u.\"Id\" = v.\"OwnerId\" GROUP BY u.\"Name\" ORDER BY 1", connection);
            await using var reader = await count.ExecuteReaderAsync();
            var perOwner = new Dictionary<string, long>();
            while (await reader.ReadAsync()) perOwner[reader.GetString(0)] = reader.GetInt64(1);
            perOwner.Should().BeEquivalentTo(new Dictionary<string, long> { ["namer"] = 1, ["racer"] = 5 });
            foreach (var h in racer.Concat(namer)) h.Dispose();
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

    private sealed record Outcome(int Replica, HttpStatusCode Status, string Detail);

    /// <summary>Starts <see cref="Racers"/> requests that wait on one gate, opens it, and collects the answers.</summary>
    private static async Task<List<Outcome>> RaceAsync(Func<int, Task<HttpResponseMessage>> send)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, Racers).Select(async i =>
        {
            await gate.Task;
            using var r = await send(i);
            return new Outcome(i % 2, r.StatusCode, await r.Content.ReadAsStringAsync());
        }).ToList();
        gate.SetResult();
        return [.. await Task.WhenAll(racers)];
    }

    private static string Describe(List<Outcome> outcomes) =>
        string.Join("; ", outcomes.GroupBy(o => (o.Status, o.Detail.Length > 200 ? o.Detail[..200] : o.Detail)).Select(g => $"{g.Count()}x {(int)g.Key.Status} {g.Key.Item2}"));

    private static async Task<HttpClient> LoginAsync(string url, string user, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(user, password));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(JsonSerializerOptions.Web);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        return http;
    }
}
