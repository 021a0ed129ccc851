using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary>Quota checks and name uniqueness hold when many creates arrive at once: each owner's decisions are
/// serialised, so concurrency cannot let more VMs in than the quota allows, nor two VMs share a name.</summary>
public class QuotaRaceTests
{
    /// <summary>The store the tests run on: null for the default (SQLite, or <c>OCTOPUS_TEST_STORE</c>);
    /// <see cref="QuotaRaceTestsOnPostgres"/> runs them all on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public QuotaRaceTests() : this(null) { }

    protected QuotaRaceTests(TestStoreKind? store)
    {
        Store = store;
    }

    private const int Racers = 40;

    [Fact]
    public async Task Create_40ConcurrentAtMaxVms5_Exactly5AreCreatedAndTheRestAreClearlyRefused()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.NewUserAsync("racer", new QuotaDto(MaxVms: 5));

        var responses = await RaceAsync(i => http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm($"vm{i}", cores: 1, memoryGiB: 0.25, diskGiB: 1)));

        responses.Count(r => r.Status == HttpStatusCode.Created).Should().Be(5, Describe(responses));
        responses.Where(r => r.Status != HttpStatusCode.Created).Should().AllSatisfy(r =>
        {
            r.Status.Should().Be(HttpStatusCode.Forbidden, r.Detail);
            r.Detail.Should().Contain("Quota exceeded for VMs: the quota is 5, 5 in use");
        });
        (await UsageAsync(http)).Vms.Should().Be(5);
    }

    [Fact]
    public async Task Create_40ConcurrentAtMaxCores6_NeverPassesTheCoreQuota()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.NewUserAsync("cores", new QuotaDto(MaxCores: 6));

        // 2 cores each: 6 / 2 = 3 fit.
        var responses = await RaceAsync(i => http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm($"vm{i}", cores: 2, memoryGiB: 0.25, diskGiB: 1)));

        responses.Count(r => r.Status == HttpStatusCode.Created).Should().Be(3, Describe(responses));
        responses.Where(r => r.Status != HttpStatusCode.Created).Should().AllSatisfy(r =>
        {
            r.Status.Should().Be(HttpStatusCode.Forbidden, r.Detail);
            r.Detail.Should().Contain("Quota exceeded for cores: the quota is 6, 6 in use");
        });
        (await UsageAsync(http)).Cores.Should().Be(6);
    }

    [Fact]
    public async Task Create_40ConcurrentOfOneName_ExactlyOneWinsAndTheRestAre409NamingTheName()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.NewUserAsync("namer", new QuotaDto(MaxVms: 100, MaxCores: 100, MaxMemoryBytes: 1L << 40, MaxDiskBytes: 1L << 42));

        var responses = await RaceAsync(_ => http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("same", cores: 1, memoryGiB: 0.25, diskGiB: 1)));

        responses.Count(r => r.Status == HttpStatusCode.Created).Should().Be(1, Describe(responses));
        responses.Where(r => r.Status != HttpStatusCode.Created).Should().AllSatisfy(r =>
        {
            r.Status.Should().Be(HttpStatusCode.Conflict, r.Detail);
            r.Detail.Should().Contain("'same'");
        });
        (await UsageAsync(http)).Vms.Should().Be(1);
    }

    [Fact]
    public async Task Create_ManyConcurrentWithinQuota_AllAreCreated()
    {
        // The defect this guards: on PostgreSQL, concurrent creates by one owner failed their quota lock row's
        // concurrency check over and over and some ran out of retries ("changed concurrently 20 times"); they now queue.
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.NewUserAsync("burst", new QuotaDto(MaxVms: 100, MaxCores: 100, MaxMemoryBytes: 1L << 40, MaxDiskBytes: 1L << 42));

        var responses = await RaceAsync(i => http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm($"burst{i}", cores: 1, memoryGiB: 0.25, diskGiB: 1)), racers: 24);

        responses.Should().AllSatisfy(r => r.Status.Should().Be(HttpStatusCode.Created, r.Detail));
        (await UsageAsync(http)).Vms.Should().Be(24);
    }

    [Fact]
    public async Task Delete_VmAtFullQuota_FreesItsShareForTheNextCreate()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.NewUserAsync("freer", new QuotaDto(MaxVms: 2));
        for (var i = 0; i < 2; i++)
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm($"a{i}", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await http.DeleteAsync(ApiRoutes.Vm("a0"))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await http.WaitUntilGoneAsync("a0");

        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await UsageAsync(http)).Vms.Should().Be(2);
    }

    private sealed record Outcome(HttpStatusCode Status, string Detail);

    /// <summary>Starts all requests together (released by one gate) and collects status and problem detail.</summary>
    private static async Task<IReadOnlyList<Outcome>> RaceAsync(Func<int, Task<HttpResponseMessage>> send, int racers = Racers)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, racers).Select(async i =>
        {
            await gate.Task;
            var r = await send(i);
            var detail = "";
            if (!r.IsSuccessStatusCode)
            {
                var body = await r.Content.ReadAsStringAsync();
                try { detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString() ?? body; }
                catch (JsonException) { detail = body; }
                catch (KeyNotFoundException) { detail = body; }
            }
            return new Outcome(r.StatusCode, detail);
        }).ToList();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    private static string Describe(IEnumerable<Outcome> outcomes) =>
        string.Join("; ", outcomes.GroupBy(o => (o.Status, o.Detail)).Select(g => $"{g.Count()} × {(int)g.Key.Status} {g.Key.Detail}"));

    private static async Task<QuotaUsageDto> UsageAsync(HttpClient http) => (await http.GetFromJsonAsync<MeDto>(ApiRoutes.Me, TestServerApp.Json))!.Usage;
}

/// <summary>The same races on PostgreSQL (read committed, many connections): the quota lock row and unique indexes still decide.</summary>
public sealed class QuotaRaceTestsOnPostgres() : QuotaRaceTests(TestStoreKind.Postgres);
