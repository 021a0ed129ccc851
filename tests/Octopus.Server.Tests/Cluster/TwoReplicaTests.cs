using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Control;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary>Two server replicas on one PostgreSQL database (in one test process, sharing a data folder as replicas share
/// the simulated hardware): exactly one leads; the follower serves the API, and its requests are carried out by the
/// leader; when the leader stops, the follower takes over with the next term and carries on.</summary>
public sealed class TwoReplicaTests
{
    [Fact]
    public async Task TwoReplicas_OneLeads_AndTheFollowerTakesOverWhenTheLeaderStops()
    {
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-two-replicas-").FullName;
        TestServerApp? a = null, b = null;
        try
        {
            a = await TestServerApp.StartAsync(dataDirectory: folder, sharedPostgresDatabase: database);
            b = await TestServerApp.StartAsync(dataDirectory: folder, sharedPostgresDatabase: database);
            var viaA = await a.LoginAsync();
            var viaB = await b.LoginAsync();

            var cluster = await ClusterWaits.UntilAsync(viaB, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId is not null);
            var selfA = (await viaA.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, TestServerApp.Json))!.Self;
            cluster.LeaderId.Should().Be(selfA, "the first replica took the lock; the second follows");
            cluster.Term.Should().Be(1);
            cluster.Replicas.Count(r => r.Leader).Should().Be(1);

            // The follower takes requests; the leader runs them.
            (await viaB.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("via-follower", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
            await viaB.WaitForStateAsync("via-follower", "Running");

            // The leader stops (its session, and so its lock, ends): the follower leads in term 2.
            var stopped = Stopwatch.StartNew();
            await a.DisposeAsync();
            a = null;
            var after = await ClusterWaits.UntilAsync(viaB, c => c.LeaderId == c.Self && c.Term == 2, TimeSpan.FromSeconds(10));
            stopped.Stop();
            after.Replicas.Single(r => r.Leader).Id.Should().Be(after.Self);

            // The new leader carries on: a new VM runs, and the one made before the takeover is still there and running.
            (await viaB.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("after-takeover", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
            await viaB.WaitForStateAsync("after-takeover", "Running");
            (await viaB.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("via-follower"), TestServerApp.Json))!.State.Should().Be("Running");
            TestContext.Current.SendDiagnosticMessage($"takeover after a clean stop: {stopped.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (a is not null) await a.DisposeAsync();
            if (b is not null) await b.DisposeAsync();
            await PostgresTestCluster.DropDatabaseAsync(database);
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task CommandOnFollower_WakesTheLeaderAtOnce_InsteadOfAtItsNextPoll()
    {
        // The leader polls once a minute: a VM created through the follower runs within WaitForStateAsync's 10 s only
        // because the follower's wake-up (PostgreSQL NOTIFY) reached the leader's control loop.
        var config = TestServerApp.DefaultConfig().Replace("\"Interval\": \"00:00:00.05\"", "\"Interval\": \"00:01:00\"", StringComparison.Ordinal);
        config.Should().Contain("00:01:00");
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-two-replicas-").FullName;
        TestServerApp? a = null, b = null;
        try
        {
            a = await TestServerApp.StartAsync(config, dataDirectory: folder, sharedPostgresDatabase: database);
            b = await TestServerApp.StartAsync(config, dataDirectory: folder, sharedPostgresDatabase: database);
            var viaA = await a.LoginAsync();
            var viaB = await b.LoginAsync();
            var cluster = await ClusterWaits.UntilAsync(viaB, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId is not null);
            cluster.LeaderId.Should().Be((await viaA.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, TestServerApp.Json))!.Self);
            var leader = a.App.Services.GetRequiredService<StoreControlSignal>();
            await leader.Listening.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            await b.App.Services.GetRequiredService<StoreControlSignal>().Listening.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            var latencies = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var heard = leader.Received;
                var clock = Stopwatch.StartNew();
                (await viaB.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm($"woken-{i}", cores: 1, memoryGiB: 0.25, diskGiB: 1),
                    TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.Created);
                var accepted = clock.Elapsed;
                await viaB.WaitForStateAsync($"woken-{i}", "Running");
                latencies.Add((clock.Elapsed - accepted).TotalMilliseconds);
                leader.Received.Should().BeGreaterThan(heard, "the leader was told by the follower");
            }
            TestContext.Current.SendDiagnosticMessage(
                $"accepted on the follower -> Running (leader poll 60 s): {string.Join(", ", latencies.Select(l => $"{l:0} ms"))}");
        }
        finally
        {
            if (a is not null) await a.DisposeAsync();
            if (b is not null) await b.DisposeAsync();
            await PostgresTestCluster.DropDatabaseAsync(database);
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task WhatTheLeaderObserves_IsAnsweredByTheFollower()
    {
        // A migration that takes a second (reported in steps) and VM CPU loads: the leader runs and observes them, the
        // follower answers for them from the store.
        var config = TestServerApp.DefaultConfig().Replace("\"OperationDelay\": \"00:00:00\"", "\"OperationDelay\": \"00:00:01\"", StringComparison.Ordinal);
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("octopus-two-replicas-").FullName;
        TestServerApp? a = null, b = null;
        try
        {
            a = await TestServerApp.StartAsync(config, dataDirectory: folder, sharedPostgresDatabase: database);
            b = await TestServerApp.StartAsync(config, dataDirectory: folder, sharedPostgresDatabase: database);
            var viaA = await a.LoginAsync();
            var viaB = await b.LoginAsync();
            var cluster = await ClusterWaits.UntilAsync(viaB, c => c.Replicas.Count(r => r.Alive) == 2 && c.LeaderId is not null);
            cluster.LeaderId.Should().NotBe(cluster.Self, "b follows");

            (await viaB.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mig", cores: 1, memoryGiB: 1), TestContext.Current.CancellationToken))
                .StatusCode.Should().Be(HttpStatusCode.Created);
            var vm = await UntilAsync(() => viaB.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("mig"), TestServerApp.Json), v => v!.State == "Running");
            var to = vm!.Host == "h-01" ? "h-02" : "h-01";
            (await viaB.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest(to), TestContext.Current.CancellationToken))
                .StatusCode.Should().Be(HttpStatusCode.Accepted);

            var midway = await UntilAsync(() => viaB.GetFromJsonAsync<VmOperationDto>(ApiRoutes.VmOperation("mig"), TestServerApp.Json),
                o => o!.Status == "Succeeded" || o.Progress is > 0 and < 1);
            midway!.Progress.Should().BeInRange(0.05, 0.95, "the follower sees the progress the leader records while it migrates");
            var done = await UntilAsync(() => viaB.GetFromJsonAsync<VmOperationDto>(ApiRoutes.VmOperation("mig"), TestServerApp.Json),
                o => o!.Status is "Succeeded" or "Failed");
            done!.Status.Should().Be("Succeeded");
            done.Progress.Should().Be(1);
            done.TotalSeconds.Should().BePositive("the follower sees what the migration cost");

            // The leader observes VM loads every second and writes them every 5 s: the follower shows them.
            var loaded = await UntilAsync(() => viaB.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("mig"), TestServerApp.Json), v => v!.CpuLoad > 0);
            loaded!.CpuLoad.Should().BePositive();
            (await viaA.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("mig"), TestServerApp.Json))!.CpuLoad.Should().BePositive("both replicas read the store");
        }
        finally
        {
            if (a is not null) await a.DisposeAsync();
            if (b is not null) await b.DisposeAsync();
            await PostgresTestCluster.DropDatabaseAsync(database);
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never got there; last: {value}");
            await Task.Delay(10);
        }
    }
}
