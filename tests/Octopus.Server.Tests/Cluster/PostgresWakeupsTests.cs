using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Octopus.Application.Cluster;
using Octopus.Application.Control;
using Octopus.Persistence.Postgres;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary>Wake-ups between replicas through PostgreSQL (NOTIFY/LISTEN): an announcement reaches every other listening
/// process and not the one that made it; a listener whose session the server ends reports it closed, so its owner
/// listens again.</summary>
public sealed class PostgresWakeupsTests
{
    [Fact]
    public async Task Announce_ReachesTheOtherListener_NotItsOwn()
    {
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        try
        {
            var a = new PostgresWakeups(database);
            var b = new PostgresWakeups(database);
            var toA = new Counter();
            var toB = new Counter();
            await using var listenA = await a.ListenAsync(toA.Hit, TestContext.Current.CancellationToken);
            await using var listenB = await b.ListenAsync(toB.Hit, TestContext.Current.CancellationToken);

            await a.AnnounceAsync(TestContext.Current.CancellationToken);
            await toB.First.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            // B answers after A's announcement arrived; PostgreSQL delivers a session's notifications in commit order, so
            // by the time B's reaches A, A's own (committed earlier) would have reached it too, had it been delivered.
            await b.AnnounceAsync(TestContext.Current.CancellationToken);
            await toA.First.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            toA.Count.Should().Be(1, "A hears B's announcement and not its own");
            toB.Count.Should().Be(1);
        }
        finally
        {
            await PostgresTestCluster.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Listener_SessionEndedByTheServer_ReportsClosed()
    {
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        try
        {
            var wakeups = new PostgresWakeups(database);
            await using var listener = await wakeups.ListenAsync(() => { }, TestContext.Current.CancellationToken);
            await using (var admin = new NpgsqlConnection(database))
            {
                await admin.OpenAsync(TestContext.Current.CancellationToken);
                await using var kill = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'octopus-wakeups' AND datname = current_database()", admin);
                await kill.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }
            var first = await Task.WhenAny(listener.Closed, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            first.Should().BeSameAs(listener.Closed, "the listening session is gone");
            listener.Closed.IsFaulted.Should().BeTrue("a lost session is a failure its owner answers by listening again");
        }
        finally
        {
            await PostgresTestCluster.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task StoreControlSignal_ListensAgainAfterItsSessionIsEnded_AndIsWokenByAnotherReplica()
    {
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        var signal = new StoreControlSignal(new PostgresWakeups(database), new ReplicaLeadership(), TimeProvider.System, NullLogger<StoreControlSignal>.Instance);
        try
        {
            await signal.StartAsync(TestContext.Current.CancellationToken);
            await signal.Listening.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            await using (var admin = new NpgsqlConnection(database))
            {
                await admin.OpenAsync(TestContext.Current.CancellationToken);
                await using var kill = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'octopus-wakeups' AND datname = current_database()", admin);
                (await kill.ExecuteScalarAsync(TestContext.Current.CancellationToken)).Should().Be(true, "the signal's listening session was there to end");
            }

            // Another replica announces until the signal hears it: it can only hear it on a session it opened again.
            var other = new PostgresWakeups(database);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (signal.Received == 0 && DateTime.UtcNow < deadline)
            {
                await other.AnnounceAsync(TestContext.Current.CancellationToken);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            signal.Received.Should().BePositive("the signal listened again after losing its session");
        }
        finally
        {
            await signal.StopAsync(CancellationToken.None);
            signal.Dispose();
            await PostgresTestCluster.DropDatabaseAsync(database);
        }
    }

    private sealed class Counter
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public int Count => Volatile.Read(ref _count);
        public Task First => _first.Task;

        public void Hit()
        {
            Interlocked.Increment(ref _count);
            _first.TrySetResult();
        }
    }
}
