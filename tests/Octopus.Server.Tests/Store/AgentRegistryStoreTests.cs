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
    public async Task Register_ThenRestart_KeepsSecretAndLastHeartbeat()
    {
        var host = HostId.New();
        var first = Process();
        var record = first.Register(host, "node-1", "http://127.0.0.1:7001");
        _time.Advance(TimeSpan.FromMinutes(5));
        (await first.AcceptHeartbeatAsync(record.Id, Status(7))).Should().BeNull();
        var heardAt = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromMinutes(1));
        var restarted = Process();

        restarted.Find(host.Value).Should().Be(record, "the secret and address come back from the store");
        (await restarted.AcceptHeartbeatAsync(record.Id, Status(7))).Should().Contain("stale heartbeat (sequence 7, last accepted 7)",
            "the last accepted sequence survived the restart, so a replayed heartbeat is refused");
        _time.Advance(TimeSpan.FromMinutes(1));
        restarted.Views().Single().LastHeard.Should().Be(heardAt.AddMinutes(1),
            "after a start the last heartbeat counts from the start at the earliest (a full timeout before judging)");
    }

    [Fact]
    public async Task AcceptHeartbeat_TwoServerProcesses_OneSequenceAcceptedOnceAndLivenessShared()
    {
        var host = HostId.New();
        var one = Process();
        var two = Process(other: true);
        var record = one.Register(host, "node-1", "http://127.0.0.1:7001");
        _time.Advance(TimeSpan.FromMinutes(10));

        (await two.AcceptHeartbeatAsync(record.Id, Status(1))).Should().BeNull();
        (await one.AcceptHeartbeatAsync(record.Id, Status(1))).Should().StartWith("stale heartbeat", "the other process already accepted sequence 1");
        one.Views().Single().LastHeard.Should().Be(_time.GetUtcNow(), "a heartbeat taken by either process is liveness for both");

        two.SetFailed(record.Id, true).Should().BeTrue();
        one.SetFailed(record.Id, true).Should().BeFalse("only one process sees the change, so only one reacts to it");
        one.Views().Single().Failed.Should().BeTrue();
    }

    [Fact]
    public async Task Register_Again_NewSecretAndSequenceStartsOver()
    {
        var host = HostId.New();
        var registry = Process();
        var first = registry.Register(host, "node-1", "http://127.0.0.1:7001");
        (await registry.AcceptHeartbeatAsync(first.Id, Status(40))).Should().BeNull();
        registry.SetFailed(first.Id, true);

        var second = registry.Register(host, "node-1", "http://127.0.0.1:7002");

        second.Secret.Should().NotBe(first.Secret);
        registry.All.Should().ContainSingle().Which.Url.Should().Be("http://127.0.0.1:7002");
        (await registry.AcceptHeartbeatAsync(first.Id, Status(1))).Should().BeNull("a re-registered agent (a restarted agent process) counts from 1 again");
        registry.Views().Single().Failed.Should().BeFalse();
    }

    [Fact]
    public async Task AcceptHeartbeat_OnlyLoadsChanged_ReportStoredAtMostEveryRefresh_AVmsChangeAtOnce()
    {
        var registry = Process();
        var record = registry.Register(HostId.New(), "node-1", "http://127.0.0.1:7001");
        var vm = Guid.NewGuid();
        AgentStatus Report(long sequence, double load, string state = "running") =>
            new(sequence, 1, load, [new AgentVmStatus(vm, state, state == "running", load, 1 << 30)]);

        (await registry.AcceptHeartbeatAsync(record.Id, Report(1, 0.1))).Should().BeNull();
        _time.Advance(TimeSpan.FromSeconds(2));
        (await registry.AcceptHeartbeatAsync(record.Id, Report(2, 0.9))).Should().BeNull();
        var view = registry.View(record.Id)!;
        view.Last!.CpuLoad.Should().Be(0.1, "only the loads changed, within ReportRefresh: the liveness is stored, not the report");
        view.LastHeard.Should().Be(_time.GetUtcNow());

        _time.Advance(TimeSpan.FromSeconds(2));
        (await registry.AcceptHeartbeatAsync(record.Id, Report(3, 0.5, "paused"))).Should().BeNull();
        registry.View(record.Id)!.Last!.Vms.Single().State.Should().Be("paused", "a VM's change is stored at once");

        _time.Advance(AgentRegistry.ReportRefresh);
        (await registry.AcceptHeartbeatAsync(record.Id, Report(4, 0.7, "paused"))).Should().BeNull();
        registry.View(record.Id)!.Last!.CpuLoad.Should().Be(0.7, "once ReportRefresh has passed the loads are stored again");
    }

    [Fact]
    public async Task AcceptHeartbeat_ThroughOneProcess_TheOtherSeesTheReport()
    {
        var host = HostId.New();
        var follower = Process();
        var leader = Process(other: true);
        var record = follower.Register(host, "node-1", "http://127.0.0.1:7001");
        var vm = Guid.NewGuid();
        var report = new AgentStatus(1, 3, 0.5, [new AgentVmStatus(vm, "running", true, 0.75, 1 << 20, new AgentVmFigures(1, 2, 3, 4))]);

        (await follower.AcceptHeartbeatAsync(record.Id, report)).Should().BeNull();

        var seen = leader.View(record.Id)!.Last;
        seen.Should().NotBeNull("the report received by one process is in the store, so the leader observes it");
        seen!.Generation.Should().Be(3);
        seen.CpuLoad.Should().Be(0.5);
        seen.Vms.Should().ContainSingle().Which.Should().BeEquivalentTo(report.Vms[0]);
        leader.Views().Single().Last.Should().BeEquivalentTo(seen);
        leader.Liveness().Single().Record.Should().Be(record);
    }

    [Fact]
    public async Task AcceptHeartbeat_OlderGeneration_CountsAsLivenessButKeepsTheNewerReport()
    {
        var host = HostId.New();
        var one = Process();
        var two = Process(other: true);
        var record = one.Register(host, "node-1", "http://127.0.0.1:7001");
        var vm = Guid.NewGuid();
        // The server saw an operation finish (generation 5: the VM runs); a heartbeat built before it (generation 4: no VM)
        // arrives afterwards at the other process.
        one.ApplyFresh(record.Id, new AgentStatus(0, 5, 0.1, [new AgentVmStatus(vm, "running", true, 0.1, 0)]));
        _time.Advance(TimeSpan.FromSeconds(3));

        (await two.AcceptHeartbeatAsync(record.Id, new AgentStatus(1, 4, 0.2, []))).Should().BeNull();

        var view = one.View(record.Id)!;
        view.LastHeard.Should().Be(_time.GetUtcNow(), "the heartbeat is liveness whatever its report");
        view.Last!.Generation.Should().Be(5);
        view.Last.Vms.Should().ContainSingle(v => v.Vm == vm, "a report older than one applied may predate the operation");

        (await two.AcceptHeartbeatAsync(record.Id, new AgentStatus(2, 5, 0.3, []))).Should().BeNull();
        one.View(record.Id)!.Last!.Vms.Should().BeEmpty("a report of the same generation is newer: the VM is gone");

        // A status fetched right after an operation is the newest view whatever its generation.
        two.ApplyFresh(record.Id, new AgentStatus(0, 2, 0.4, [new AgentVmStatus(vm, "paused", false, 0, 0)]));
        one.View(record.Id)!.Last!.Vms.Should().ContainSingle(v => v.State == "paused");
    }

    [Fact]
    public async Task AcceptHeartbeat_ManyAtOnce_ShareTransactions_AndEachIsStoredWhenAnswered()
    {
        // 60 agents heartbeat at the same moment through one replica: they are committed in groups (fewer transactions
        // than heartbeats), and each answer comes only after its commit (the other process reads it at once).
        var store = new AgentRegistrationStore(_store.Contexts);
        var registry = new AgentRegistry(store, _time);
        var agents = Enumerable.Range(0, 60).Select(i => registry.Register(new HostId(Guid.NewGuid()), $"node-{i}", $"http://10.0.0.{i}:7001")).ToList();
        var other = Process(other: true);

        var answers = await Task.WhenAll(agents.Select(async a =>
        {
            var answer = await registry.AcceptHeartbeatAsync(a.Id, Status(5));
            return (answer, seen: other.Liveness().Single(l => l.Record.Id == a.Id).LastHeard);
        }));

        answers.Should().OnlyContain(x => x.answer == null);
        answers.Should().OnlyContain(x => x.seen == _time.GetUtcNow(), "an answered heartbeat is committed");
        store.GroupCommits.Heartbeats.Should().Be(60);
        store.GroupCommits.Commits.Should().BeLessThan(60, "heartbeats that arrive while a group commits share the next one");
        (await registry.AcceptHeartbeatAsync(agents[0].Id, Status(5))).Should().StartWith("stale heartbeat");
    }

    [Fact]
    public async Task AcceptHeartbeat_OneAgentTwiceInAGroup_AndAnUnknownAgent_EachAnsweredAsAlone()
    {
        var registry = Process();
        var record = registry.Register(new HostId(Guid.NewGuid()), "node-1", "http://10.0.0.1:7001");

        // Sequences 2, 1 and 2 again, and an agent no one registered, all at once: 2 is accepted, the replayed 2 and the
        // older 1 are stale whatever group they land in, and the unknown agent is refused without failing the others.
        var answers = await Task.WhenAll(registry.AcceptHeartbeatAsync(record.Id, Status(2)), registry.AcceptHeartbeatAsync(record.Id, Status(1)),
            registry.AcceptHeartbeatAsync(record.Id, Status(2)), registry.AcceptHeartbeatAsync(Guid.NewGuid(), Status(1)));

        answers.Count(a => a is null).Should().BeInRange(1, 2, "2 is accepted once; 1 only if it came first");
        answers[3].Should().Be("unknown agent");
        answers.Take(3).Count(a => a is not null && a.StartsWith("stale heartbeat", StringComparison.Ordinal)).Should().Be(3 - answers.Take(3).Count(a => a is null));
        new AgentRegistrationStore(_store.OtherProcess()).Find(record.Id)!.LastSequence.Should().Be(2);
    }

    [Fact]
    public async Task Register_Again_DropsTheLastReport()
    {
        var host = HostId.New();
        var registry = Process();
        var first = registry.Register(host, "node-1", "http://127.0.0.1:7001");
        (await registry.AcceptHeartbeatAsync(first.Id, new AgentStatus(9, 9, 0.5, [new AgentVmStatus(Guid.NewGuid(), "running", true, 0.5, 0)]))).Should().BeNull();

        registry.Register(host, "node-1", "http://127.0.0.1:7001");

        registry.View(first.Id)!.Last.Should().BeNull("a restarted agent reports afresh");
        (await registry.AcceptHeartbeatAsync(first.Id, new AgentStatus(1, 1, 0.1, []))).Should().BeNull("its generation counts from the start again");
        registry.View(first.Id)!.Last!.Generation.Should().Be(1);
    }
}

/// <summary>The agent registry on PostgreSQL.</summary>
public sealed class AgentRegistryStoreTestsOnPostgres() : AgentRegistryStoreTests(TestStoreKind.Postgres);
