using Microsoft.Extensions.Time.Testing;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Persistence.Agents;
using Octopus.Server.Agents;
using Octopus.Drivers.Agent;
using Octopus.Application.Agents;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>Agent registrations and liveness in the store's Agents table: they survive a restart and a second server
/// process sees (and agrees on) the same.</summary>
public class AgentRegistryStoreTests : IDisposable
{
    /// <summary>The store the tests run on: null for the default (SQLite, or <c>OCTOPUS_TEST_STORE</c>);
    /// <see cref="AgentRegistryStoreTestsOnPostgres"/> runs them all on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public AgentRegistryStoreTests() : this(null) { }

    protected AgentRegistryStoreTests(TestStoreKind? store)
    {
        Store = store;
        _store = TestStore.Create(store);
    }

    private readonly TestStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _store.Dispose();
    }

    private AgentRegistry Process(bool other = false) =>
        new(new AgentRegistrationStore(other ? _store.OtherProcess() : _store.Contexts), _time);

    private static AgentStatus Status(long sequence) => new(sequence, sequence, 0.25, []);

    [Fact]
    public void Register_ThenRestart_KeepsSecretAndLastHeartbeat()
    {
        var host = HostId.New();
        var first = Process();
        var record = first.Register(host, "node-1", "http://127.0.0.1:7001");
        _time.Advance(TimeSpan.FromMinutes(5));
        first.AcceptHeartbeat(record.Id, Status(7)).Should().BeNull();
        var heardAt = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromMinutes(1));
        var restarted = Process();

        restarted.Find(host.Value).Should().Be(record, "the secret and address come back from the store");
        restarted.AcceptHeartbeat(record.Id, Status(7)).Should().Contain("stale heartbeat (sequence 7, last accepted 7)",
            "the last accepted sequence survived the restart, so a replayed heartbeat is refused");
        _time.Advance(TimeSpan.FromMinutes(1));
        restarted.Views().Single().LastHeard.Should().Be(heardAt.AddMinutes(1),
            "after a start the last heartbeat counts from the start at the earliest (a full timeout before judging)");
    }

    [Fact]
    public void AcceptHeartbeat_TwoServerProcesses_OneSequenceAcceptedOnceAndLivenessShared()
    {
        var host = HostId.New();
        var one = Process();
        var two = Process(other: true);
        var record = one.Register(host, "node-1", "http://127.0.0.1:7001");
        _time.Advance(TimeSpan.FromMinutes(10));

        two.AcceptHeartbeat(record.Id, Status(1)).Should().BeNull();
        one.AcceptHeartbeat(record.Id, Status(1)).Should().StartWith("stale heartbeat", "the other process already accepted sequence 1");
        one.Views().Single().LastHeard.Should().Be(_time.GetUtcNow(), "a heartbeat taken by either process is liveness for both");

        two.SetFailed(record.Id, true).Should().BeTrue();
        one.SetFailed(record.Id, true).Should().BeFalse("only one process sees the change, so only one reacts to it");
        one.Views().Single().Failed.Should().BeTrue();
    }

    [Fact]
    public void Register_Again_NewSecretAndSequenceStartsOver()
    {
        var host = HostId.New();
        var registry = Process();
        var first = registry.Register(host, "node-1", "http://127.0.0.1:7001");
        registry.AcceptHeartbeat(first.Id, Status(40)).Should().BeNull();
        registry.SetFailed(first.Id, true);

        var second = registry.Register(host, "node-1", "http://127.0.0.1:7002");

        second.Secret.Should().NotBe(first.Secret);
        registry.All.Should().ContainSingle().Which.Url.Should().Be("http://127.0.0.1:7002");
        registry.AcceptHeartbeat(first.Id, Status(1)).Should().BeNull("a re-registered agent (a restarted agent process) counts from 1 again");
        registry.Views().Single().Failed.Should().BeFalse();
    }
}

/// <summary>The agent registry on PostgreSQL.</summary>
public sealed class AgentRegistryStoreTestsOnPostgres() : AgentRegistryStoreTests(TestStoreKind.Postgres);
