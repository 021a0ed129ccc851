using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary><c>GET /api/v1/cluster</c> and the leader metrics: the one replica of a fresh server leads in term 1.</summary>
public class ClusterApiTests
{
    protected TestStoreKind? Store { get; }

    public ClusterApiTests() : this(null) { }

    protected ClusterApiTests(TestStoreKind? store) => Store = store;

    [Fact]
    public async Task Cluster_AsAdmin_ShowsTheOnlyReplicaLeadingInTerm1()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();

        var cluster = await ClusterWaits.UntilAsync(admin, c => c.Term >= 1 && c.Replicas.Any(r => r.Leader));

        cluster.Term.Should().Be(1);
        cluster.Store.Should().Be(Store == TestStoreKind.Postgres ? "postgres" : PostgresTestCluster.DefaultStore == TestStoreKind.Postgres ? "postgres" : "sqlite");
        var me = cluster.Replicas.Should().ContainSingle().Which;
        me.Id.Should().Be(cluster.Self);
        me.Leader.Should().BeTrue();
        me.Alive.Should().BeTrue();
        cluster.LeaderId.Should().Be(me.Id);
        cluster.LeaderSince.Should().NotBeNull();
    }

    [Fact]
    public async Task Cluster_AsUser_Is403()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var user = await server.NewUserAsync("plain");

        var r = await user.GetAsync(ApiRoutes.Cluster);

        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("Only administrators may see the control plane's replicas");
    }

    [Fact]
    public async Task Metrics_ExportTheLeaderTheTermAndTheReplicas()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        var cluster = await ClusterWaits.UntilAsync(admin, c => c.Term >= 1 && c.Replicas.Any(r => r.Leader));

        var text = await server.Anonymous().GetStringAsync("/metrics");

        text.Should().Contain($"octopus_leader{{replica=\"{cluster.Self}\"}} 1");
        text.Should().Contain("octopus_leader_term 1");
        text.Should().Contain("octopus_replicas 1");
    }
}

public sealed class ClusterApiTestsOnPostgres() : ClusterApiTests(TestStoreKind.Postgres);

internal static class ClusterWaits
{
    /// <summary>Polls <c>GET /api/v1/cluster</c> until <paramref name="done"/> holds (up to <paramref name="within"/>, 15 s by default).</summary>
    public static async Task<ClusterDto> UntilAsync(HttpClient admin, Func<ClusterDto, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        ClusterDto last;
        do
        {
            last = (await admin.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, TestServerApp.Json))!;
            if (done(last)) return last;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"the cluster never reached the expected state; last: term {last.Term}, leader {last.LeaderId}, " +
            string.Join(", ", last.Replicas.Select(r => $"{r.Id} alive={r.Alive} leader={r.Leader}")));
    }
}
