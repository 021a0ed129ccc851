using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Policies;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Leadership;
using Octopus.Persistence.Records;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Policies;

/// <summary>The policy runtime's CPU histories, states seen and lease events in the store: what one leader's pass wrote,
/// the next leader (another replica, or this one after a restart) starts from, and a follower previews against.</summary>
public class PolicyRuntimeStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>null: the default store; <see cref="PolicyRuntimeStoreTestsOnPostgres"/> runs them on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public PolicyRuntimeStoreTests() : this(null) { }

    protected PolicyRuntimeStoreTests(TestStoreKind? store) => Store = store;

    [Fact]
    public async Task Save_ThenLoadOnAnotherReplica_ContinuesWithTheSameHistoriesStatesAndLeaseEvents()
    {
        using var store = TestStore.Create(Store);
        var vm = VmId.New();
        var host = HostId.New();
        var lease = T0.AddHours(20);
        var old = new PolicyRuntimeState();
        // 90 minutes of samples every 30 s, over two hours of the clock: 12.5 %, 25 %, ... 87.5 %, then again.
        for (var i = 0; i <= 180; i++)
        {
            old.RecordVmCpu(vm, T0.AddMinutes(30).AddSeconds(30 * i), i % 7 * 12.5);
            old.RecordHostCpu(host, T0.AddMinutes(30).AddSeconds(30 * i), 40.25);
        }
        old.VmStates = new() { [vm] = VmState.Running };
        old.HostStates = new() { [host] = HostPowerState.On };
        old.LeaseEventsSent.Add((vm, lease));
        var now = T0.AddHours(2);
        await using (var db = await store.Contexts.CreateDbContextAsync()) await PolicyRuntimeStore.SaveAsync(db, old, now, default);

        var next = new PolicyRuntimeState();
        await using (var db = await store.OtherProcess().CreateDbContextAsync()) await PolicyRuntimeStore.LoadAsync(db, next, default);

        next.VmCpu.History(vm).Samples.Should().Equal(old.VmCpu.History(vm).Samples, "samples at whole seconds and hundredths come back exact");
        next.HostCpu.History(host).Samples.Should().Equal(old.HostCpu.History(host).Samples);
        next.VmCpu.History(vm).Average(now, TimeSpan.FromHours(1)).Should().Be(old.VmCpu.History(vm).Average(now, TimeSpan.FromHours(1)));
        next.VmStates.Should().BeEquivalentTo(old.VmStates);
        next.HostStates.Should().BeEquivalentTo(old.HostStates);
        next.LeaseEventsSent.Should().BeEquivalentTo(new[] { (vm, lease) });
        next.LastSample.Should().Be(T0.AddMinutes(120), "the new leader samples next when the old one would have");
        await using (var db = await store.OtherProcess().CreateDbContextAsync())
        {
            var (vms, hosts) = await PolicyRuntimeStore.ReadHistoriesAsync(db, default);
            vms.History(vm).Samples.Should().Equal(old.VmCpu.History(vm).Samples, "a follower's preview reads the same history");
            hosts.History(host).Count.Should().Be(181);
            (await db.PolicyCpuHistory.CountAsync()).Should().Be(4, "one row per VM or host and closed hour: 10:00 (from 10:30) and 11:00");
            (await db.PolicyCpuPasses.Select(p => p.At).ToListAsync()).Should().Equal([T0.AddHours(2)], "12:00's one sample is in the open hour's pass row");
        }
    }

    [Fact]
    public async Task Save_InAnOpenHour_WritesOnePassRow_AndANewLeaderMidHourClosesTheHourWithEverySample()
    {
        using var store = TestStore.Create(Store);
        var vms = Enumerable.Range(0, 20).Select(_ => VmId.New()).ToList();
        var host = HostId.New();
        var old = new PolicyRuntimeState();
        // The old leader's passes from 10:00 to 10:20, every 30 s: each writes one pass row (21 samples), no hour row.
        for (var i = 0; i <= 40; i++)
        {
            var at = T0.AddSeconds(30 * i);
            foreach (var vm in vms) old.RecordVmCpu(vm, at, (i + vms.IndexOf(vm)) % 9 * 11.25);
            old.RecordHostCpu(host, at, 30 + i % 4);
            await using var db = await store.Contexts.CreateDbContextAsync();
            await PolicyRuntimeStore.SaveAsync(db, old, at, default);
            (await db.PolicyCpuPasses.CountAsync()).Should().Be(i + 1);
            (await db.PolicyCpuHistory.CountAsync()).Should().Be(0, "the hour is still open");
        }

        // The old leader dies; the next starts from the store with every sample taken, and goes on until the hour closes.
        var next = new PolicyRuntimeState();
        await using (var db = await store.OtherProcess().CreateDbContextAsync()) await PolicyRuntimeStore.LoadAsync(db, next, default);
        foreach (var vm in vms) next.VmCpu.History(vm).Samples.Should().Equal(old.VmCpu.History(vm).Samples);
        next.LastSample.Should().Be(T0.AddMinutes(20));
        for (var i = 41; i <= 120; i++)
        {
            var at = T0.AddSeconds(30 * i);
            foreach (var vm in vms) next.RecordVmCpu(vm, at, (i + vms.IndexOf(vm)) % 9 * 11.25);
            next.RecordHostCpu(host, at, 30 + i % 4);
            await using var db = await store.OtherProcess().CreateDbContextAsync();
            await PolicyRuntimeStore.SaveAsync(db, next, at, default);
        }

        // At 11:00 the 10:00 hour was written as 21 hour rows of 120 samples each (both leaders'), its pass rows removed.
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            var hours = await db.PolicyCpuHistory.AsNoTracking().ToListAsync();
            hours.Should().HaveCount(21).And.OnlyContain(h => h.Start == T0 && h.Samples.Length == 120 * 4);
            (await db.PolicyCpuPasses.Select(p => p.At).ToListAsync()).Should().Equal([T0.AddHours(1)], "only 11:00's pass row is left");
            var (stored, _) = await PolicyRuntimeStore.ReadHistoriesAsync(db, default);
            stored.History(vms[7]).Samples.Should().Equal(next.VmCpu.History(vms[7]).Samples);
            stored.History(vms[7]).Samples.Select(x => x.Percent).Should().Equal(Enumerable.Range(0, 121).Select(i => (i + 7) % 9 * 11.25));
        }
    }

    [Fact]
    public async Task Save_WritesOnlyChanges_RemovesGoneSubjectsAndExpiredHours()
    {
        using var store = TestStore.Create(Store);
        var kept = VmId.New();
        var deleted = VmId.New();
        var state = new PolicyRuntimeState();
        state.RecordVmCpu(kept, T0, 10);
        state.RecordVmCpu(deleted, T0, 20);
        state.VmStates = new() { [kept] = VmState.Running, [deleted] = VmState.Running };
        state.HostStates = [];
        await using (var db = await store.Contexts.CreateDbContextAsync()) await PolicyRuntimeStore.SaveAsync(db, state, T0, default);

        // Seven hours later: the VM 'deleted' is gone, 'kept' stopped and has a new sample; T0's hour is past the retention.
        var later = T0.AddHours(7);
        state.VmStates = new() { [kept] = VmState.Stopped };
        state.VmCpu.Forget([kept]);
        state.RecordVmCpu(kept, later, 0);
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            var before = await db.PolicyObservations.AsNoTracking().ToListAsync();
            before.Should().HaveCount(2);
            await PolicyRuntimeStore.SaveAsync(db, state, later, default);
        }

        await using (var db = await store.OtherProcess().CreateDbContextAsync())
        {
            var rows = await db.PolicyObservations.AsNoTracking().ToListAsync();
            rows.Should().ContainSingle().Which.Should().BeEquivalentTo(new PolicyObservationRecord
            { Kind = PolicySubjectKind.Vm, SubjectId = kept.Value, State = (int)VmState.Stopped });
            (await db.PolicyCpuHistory.AsNoTracking().CountAsync()).Should().Be(0, "T0's hour is past the six-hour retention when it is found closed");
            (await db.PolicyCpuPasses.AsNoTracking().Select(p => p.At).ToListAsync()).Should().Equal([later],
                "T0's pass row (the deleted VM's sample with it) is removed; the new sample is in the open hour's pass row");
        }
    }

    [Fact]
    public async Task Save_ByADeposedLeader_IsRefusedAndTheNewLeadersStateStays()
    {
        using var store = TestStore.Create(Store);
        var vm = VmId.New();
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            db.ControlPlaneLeadership.Add(new ControlPlaneLeadershipRecord { Term = 2, LeaderId = Guid.NewGuid(), Since = T0 });
            await db.SaveChangesAsync();
        }
        var current = new PolicyRuntimeState { VmStates = new() { [vm] = VmState.Stopped }, HostStates = [] };
        using (LeaderFence.Enter(2))
        {
            await using var db = await store.Contexts.CreateDbContextAsync();
            await PolicyRuntimeStore.SaveAsync(db, current, T0, default);
        }

        var deposed = new PolicyRuntimeState { VmStates = new() { [vm] = VmState.Running }, HostStates = [] };
        deposed.RecordVmCpu(vm, T0, 99);
        using (LeaderFence.Enter(1))
        {
            await using var db = await store.OtherProcess().CreateDbContextAsync();
            await FluentActions.Awaiting(() => PolicyRuntimeStore.SaveAsync(db, deposed, T0, default)).Should().ThrowAsync<StaleLeaderException>();
        }

        var loaded = new PolicyRuntimeState();
        await using (var db = await store.Contexts.CreateDbContextAsync()) await PolicyRuntimeStore.LoadAsync(db, loaded, default);
        loaded.VmStates.Should().BeEquivalentTo(new Dictionary<VmId, VmState> { [vm] = VmState.Stopped });
        loaded.VmCpu.History(vm).Count.Should().Be(0);
    }

    [Fact]
    public async Task TermBeginning_DropsEventsLeftInTheQueueFromAnEarlierTerm()
    {
        using var store = TestStore.Create(Store);
        var events = new PolicyEventQueue();
        // Derived by a pass of this replica's earlier term that lost the term before draining them.
        events.Publish(Octopus.Policies.Evaluation.PolicyEvent.HostFailed(HostId.New()));

        await new PolicyRuntimeTakeover(new PolicyRuntimeState(), events, store.Contexts).OnTermBeginningAsync(2, default);

        events.Drain().Should().BeEmpty("the new term derives its events from the stored states again; a leftover would be a stale second copy");
    }
}

/// <summary>The policy runtime's store on PostgreSQL.</summary>
public sealed class PolicyRuntimeStoreTestsOnPostgres() : PolicyRuntimeStoreTests(TestStoreKind.Postgres);

/// <summary>A change of leader between two policy passes, through a server: the next leader derives the event from the
/// states the previous one stored.</summary>
public sealed class PolicyLeaderChangeTests
{
    /// <summary>User dave, his policy 'tell-me-when-stopped' (a notify reacting to his VM stopping) and his running VM d1.</summary>
    private static async Task<(HttpClient Dave, Octopus.Contracts.VmDto Vm)> DaveWithAStopPolicyAndARunningVmAsync(PolicyHarness h)
    {
        var dave = await h.App.NewUserAsync("dave");
        await PolicyHarness.CreatePolicyAsync(dave, """
            name: tell-me-when-stopped
            owner: dave
            trigger:
              event: vmStateChanged
            condition: vm.state == "Stopped"
            actions:
              - notify: { message: "your VM stopped" }
            """);
        return (dave, await PolicyHarness.RunningVmAsync(dave, "d1"));
    }

    [Fact]
    public async Task NewLeader_AVmStoppedBetweenTheOldLeadersLastPassAndItsFirst_RaisesTheEvent()
    {
        await using var h = await PolicyHarness.StartAsync();
        var (dave, vm) = await DaveWithAStopPolicyAndARunningVmAsync(h);
        await h.PassAsync(); // the old leader's last pass: it saw d1 Running

        // The old leader dies; d1 stops before the next leader's first pass. The next leader has no memory of its own:
        // it starts from the store, as PolicyRuntimeTakeover does when a term begins.
        h.State.VmStates = null;
        h.State.HostStates = null;
        (await dave.PostAsync($"{ApiRoutes.Vm(vm.Id)}/stop", null)).EnsureSuccessStatusCode();
        await dave.WaitForStateAsync(vm.Id, "Stopped");
        await using (var scope = h.App.App.Services.CreateAsyncScope())
            await PolicyRuntimeStore.LoadAsync(scope.ServiceProvider.GetRequiredService<OctopusDbContext>(), h.State, default);
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(1));

        (await PolicyHarness.HistoryAsync(dave, "tell-me-when-stopped")).Should().ContainSingle(e => e.Vm == "d1" && e.Result == "ok",
            "the change happened between the two leaders' passes and is still seen");
    }

    [Fact]
    public async Task NewLeader_TheOldLeaderReactedButDiedBeforeSavingTheStatesItSaw_DoesNotReactAgain()
    {
        await using var h = await PolicyHarness.StartAsync();
        var (dave, vm) = await DaveWithAStopPolicyAndARunningVmAsync(h);
        await h.PassAsync(); // saw d1 Running
        (await dave.PostAsync($"{ApiRoutes.Vm(vm.Id)}/stop", null)).EnsureSuccessStatusCode();
        await dave.WaitForStateAsync(vm.Id, "Stopped");
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(1)); // reacts to the stop
        (await PolicyHarness.HistoryAsync(dave, "tell-me-when-stopped")).Should().ContainSingle();

        // The old leader died after acting and before its pass saved the states it saw: the store still says Running.
        await using (var scope = h.App.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var id = Guid.Parse(vm.Id);
            var row = await db.PolicyObservations.SingleAsync(o => o.Kind == PolicySubjectKind.Vm && o.SubjectId == id);
            row.State = (int)VmState.Running;
            await db.SaveChangesAsync();
            h.State.VmStates = null;
            h.State.HostStates = null;
            await PolicyRuntimeStore.LoadAsync(db, h.State, default);
        }
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(1)); // the next leader derives the same change again

        (await PolicyHarness.HistoryAsync(dave, "tell-me-when-stopped")).Should().ContainSingle(
            "the policy's audited action on d1 since its state changed shows the change was reacted to");
    }

    [Fact]
    public async Task TimeTriggeredRun_TheLeaderDiedBeforeRecordingTheRun_NextStartActsOnlyOnTheVmsItHadNotReached()
    {
        await using var h = await PolicyHarness.StartAsync();
        var dave = await h.App.NewUserAsync("dave");
        await PolicyHarness.CreatePolicyAsync(dave, """
            name: hourly-note
            owner: dave
            trigger:
              interval: 1h
            condition: vm.state == "Running"
            actions:
              - notify: { message: "still running" }
            """);
        await PolicyHarness.RunningVmAsync(dave, "d1");
        await h.AdvanceAndPassAsync(TimeSpan.FromHours(1)); // the first run: d1
        (await PolicyHarness.HistoryAsync(dave, "hourly-note")).Select(e => e.Vm).Should().Equal("d1");

        // The leader died after acting on d1 and before recording the run; d2 was created meanwhile.
        await using (var scope = h.App.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var record = await db.Policies.SingleAsync(p => p.Name == "hourly-note");
            record.LastRunAt = null;
            await db.SaveChangesAsync();
        }
        await PolicyHarness.RunningVmAsync(dave, "d2");
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(1)); // due again: the same occurrence

        (await PolicyHarness.HistoryAsync(dave, "hourly-note")).Select(e => e.Vm).Should().BeEquivalentTo(["d1", "d2"],
            "d1 was acted on in this run already (its audited action is after the occurrence); d2 was not reached");

        await h.AdvanceAndPassAsync(TimeSpan.FromHours(1)); // the next occurrence acts on both again
        (await PolicyHarness.HistoryAsync(dave, "hourly-note")).Should().HaveCount(4);
    }
}
