using Microsoft.Extensions.Time.Testing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Templates;
using Octopus.Policies.Triggers;

namespace Octopus.Policies.Tests.Templates;

/// <summary>Every shipped template, driven by a fake clock through its trigger and evaluated over a snapshot.</summary>
public class TemplateTests
{
    private static readonly TimeZoneInfo Rome = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");
    private readonly PolicyEngine _engine = new();

    private static CompiledPolicy Load(string name, string? owner = null) =>
        CompiledPolicy.Compile(PolicyTemplates.Instantiate(name, owner is null ? null : UserName.Parse(owner)));

    [Fact]
    public void Names_ListsTheSixTemplates()
    {
        PolicyTemplates.Names.Should().Equal("host-failure-restart", "hot-host-move", "idle-shutdown", "lease-expiry", "nightly-checkpoint", "student-hours");
    }

    [Fact]
    public void NightlyCheckpoint_At0200Rome_ChecksPointsTaggedVmsAndKeepsLast7()
    {
        var policy = Load(PolicyTemplates.NightlyCheckpoint);
        // 25 Nov 2026: Rome is UTC+1, so 02:00 in Rome is 01:00 UTC. Last run: the previous night.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 30, 0, TimeSpan.Zero));
        var triggers = new PolicyTriggers(clock);
        var lastRun = new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
        triggers.IsDue(policy, lastRun).Should().BeFalse(); // 01:30 in Rome
        clock.Advance(TimeSpan.FromMinutes(29));
        triggers.IsDue(policy, lastRun).Should().BeFalse(); // 01:59 in Rome
        clock.Advance(TimeSpan.FromMinutes(1));
        triggers.IsDue(policy, lastRun).Should().BeTrue(); // 02:00 in Rome

        var now = clock.GetUtcNow();
        var world = new SnapshotBuilder(now).Admin("admin").User("alice")
            .Vm("a", "alice", v =>
            {
                v.Tags("nightly");
                for (var d = 1; d <= 7; d++) v.Checkpoint($"cp-{d}", now.AddDays(-d), "nightly-checkpoint");
                v.Checkpoint("mine", now.AddDays(-30), null); // the user's own snapshot: never pruned
            })
            .Vm("b", "alice")
            .Vm("c", "alice", v => v.Tags("nightly").State(VmState.Pending));
        var result = _engine.Evaluate(world.Build(), [policy]);

        var action = result.Actions.Should().ContainSingle().Which;
        action.VmName.Should().Be("a");
        action.Kind.Should().Be(PolicyActionKind.Checkpoint);
        // 7 old + 1 new = 8 checkpoints; keep the 7 newest (the new one and cp-1..cp-6): prune cp-7.
        action.PruneCheckpoints.Should().Equal("cp-7");
        action.Reason.Should().Contain("vm.state = \"Running\"");
        result.Policies.Single().Considered.Should().Be(2); // a and c carry the tag; b is not selected
    }

    [Fact]
    public void IdleShutdown_AfterTwoIdleHours_ShutsDownOnlyMyIdleVms()
    {
        var policy = Load(PolicyTemplates.IdleShutdown, "alice");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var triggers = new PolicyTriggers(clock);
        var lastRun = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(9));
        triggers.IsDue(policy, lastRun).Should().BeFalse();
        clock.Advance(TimeSpan.FromMinutes(1));
        triggers.IsDue(policy, lastRun).Should().BeTrue(); // interval 10m

        var now = clock.GetUtcNow();
        var world = new SnapshotBuilder(now).User("alice").User("bob")
            .Vm("idle", "alice", v => v.Cpu(SnapshotBuilder.Flat(2, 120)))                               // 2 % for 2 h: idle
            .Vm("busy", "alice", v => v.Cpu([.. SnapshotBuilder.Flat(2, 110), .. SnapshotBuilder.Flat(40, 9)])) // busy in the last 10 min
            .Vm("young", "alice", v => v.Cpu(SnapshotBuilder.Flat(0, 60)))                               // only 1 h of history
            .Vm("stopped", "alice", v => v.State(VmState.Stopped).Cpu(SnapshotBuilder.Flat(0, 120)))
            .Vm("bobs", "bob", v => v.Cpu(SnapshotBuilder.Flat(0, 120)));                                  // idle, but bob's
        var result = _engine.Evaluate(world.Build(), [policy]);

        result.Actions.Select(a => (a.VmName, a.Kind)).Should().Equal(("idle", PolicyActionKind.Shutdown), ("idle", PolicyActionKind.Notify));
        result.Actions[0].Reason.Should().Contain("vm.cpu.max(2h) = 2");
        var summary = result.Policies.Single();
        summary.Considered.Should().Be(4); // bob's VM is never even considered
        summary.Undecided.Should().Be(1);
        summary.UndecidedExample.Should().Be("VM young: vm.cpu.max is absent: the CPU history does not cover the whole window (or the VM has no host)");
    }

    [Fact]
    public void LeaseExpiry_WarnsThenWaitsGraceThenDeletes()
    {
        var policy = Load(PolicyTemplates.LeaseExpiry);
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(t0);
        var lease = t0.AddHours(-1);
        var world = new SnapshotBuilder(t0).Admin("admin").User("alice")
            .Vm("expired", "alice", v => v.Lease(lease))
            .Vm("valid", "alice", v => v.Lease(t0.AddDays(3)))
            .Vm("no-lease", "alice")
            .Vm("precious", "alice", v => v.Lease(lease).Tags("protected"));

        // 1st evaluation: a warning (a notify), no delete.
        var first = _engine.Evaluate(world.Build(clock.GetUtcNow()), [policy]);
        var warning = first.Actions.Should().ContainSingle().Which;
        warning.VmName.Should().Be("expired");
        warning.Kind.Should().Be(PolicyActionKind.Notify);
        warning.Warning.Should().Be(new DeleteWarning(t0.AddHours(24), lease));
        first.Suppressed.Should().ContainSingle(s => s.Code == SuppressionCode.Protected && s.Action.VmName == "precious");

        // The server records the warning; 12 h later the grace period is still running.
        world.Warned("lease-expiry", "expired", t0, lease);
        clock.Advance(TimeSpan.FromHours(12));
        var waiting = _engine.Evaluate(world.Build(clock.GetUtcNow()), [policy]);
        waiting.Actions.Should().BeEmpty();
        waiting.Suppressed.Should().Contain(s => s.Code == SuppressionCode.AwaitingGrace && s.Action.VmName == "expired");

        // 24 h after the warning: delete.
        clock.Advance(TimeSpan.FromHours(12));
        var last = _engine.Evaluate(world.Build(clock.GetUtcNow()), [policy]);
        var delete = last.Actions.Should().ContainSingle().Which;
        (delete.VmName, delete.Kind).Should().Be(("expired", PolicyActionKind.Delete));
        delete.Reason.Should().StartWith("warned at 2026-11-25 12:00:00Z and the grace period ended at 2026-11-26 12:00:00Z");
    }

    [Fact]
    public void LeaseExpiry_LeaseExtendedAfterWarning_WarningIsVoid()
    {
        var policy = Load(PolicyTemplates.LeaseExpiry);
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        // Warned about the lease ending at t0 − 1 h; the user extended it to t0 + 1 h, and that has expired too (now t0 + 2 d).
        var now = t0.AddDays(2);
        var world = new SnapshotBuilder(now).Admin("admin").User("alice").Vm("vm", "alice", v => v.Lease(t0.AddHours(1)));
        world.Warned("lease-expiry", "vm", t0, t0.AddHours(-1));
        var result = _engine.Evaluate(world.Build(), [policy]);
        var a = result.Actions.Should().ContainSingle().Which;
        a.Kind.Should().Be(PolicyActionKind.Notify); // a new warning, not a delete
        a.Warning!.LeaseExpiresAt.Should().Be(t0.AddHours(1));
    }

    [Theory]
    // Rome is UTC+1 in November. 25 Nov 2026 is a Wednesday, 28 Nov a Saturday.
    [InlineData("2026-11-25T06:59:00Z", true)]  // Wed 07:59 Rome: before 08:00
    [InlineData("2026-11-25T07:00:00Z", false)] // Wed 08:00 Rome: allowed
    [InlineData("2026-11-25T18:59:00Z", false)] // Wed 19:59 Rome: allowed
    [InlineData("2026-11-25T19:00:00Z", true)]  // Wed 20:00 Rome: after hours
    [InlineData("2026-11-28T11:00:00Z", true)]  // Sat 12:00 Rome: weekend
    [InlineData("2026-11-30T09:00:00Z", false)] // Mon 10:00 Rome
    public void StudentHours_OutsideWeekdayWindow_SuspendsStudentVms(string utc, bool suspends)
    {
        var policy = Load(PolicyTemplates.StudentHours);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        new PolicyTriggers(clock).IsDue(policy, clock.GetUtcNow().AddMinutes(-15)).Should().BeTrue(); // */15 fires every quarter hour
        var world = new SnapshotBuilder(clock.GetUtcNow()).Admin("admin").User("stud")
            .Vm("lab", "stud", v => v.Tags("student"))
            .Vm("thesis", "stud")
            .Vm("off", "stud", v => v.Tags("student").State(VmState.Stopped));
        var result = _engine.Evaluate(world.Build(), [policy]);
        if (suspends)
            result.Actions.Select(a => (a.VmName, a.Kind)).Should().Equal(("lab", PolicyActionKind.Suspend));
        else
            result.Actions.Should().BeEmpty();
    }

    [Fact]
    public void HotHostMove_HostAbove90For10Minutes_MovesOneBusiestVm()
    {
        var policy = Load(PolicyTemplates.HotHostMove);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var lastRun = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(1));
        new PolicyTriggers(clock).IsDue(policy, lastRun).Should().BeTrue();
        var now = clock.GetUtcNow();
        var world = new SnapshotBuilder(now).Admin("admin").User("alice")
            .Host("hot", cpu: SnapshotBuilder.Flat(95, 10))                                           // > 90 % for 10 min
            .Host("warm", cpu: [.. SnapshotBuilder.Flat(80, 5), .. SnapshotBuilder.Flat(99, 5)])      // > 90 % for 5 min only
            .Vm("a", "alice", v => v.OnHost("hot").Cpu(30))
            .Vm("b", "alice", v => v.OnHost("hot").Cpu(70))
            .Vm("c", "alice", v => v.OnHost("hot").Cpu(50))
            .Vm("d", "alice", v => v.OnHost("warm").Cpu(90));
        var result = _engine.Evaluate(world.Build(), [policy]);
        var move = result.Actions.Should().ContainSingle().Which;
        (move.VmName, move.Kind, move.Host).Should().Be(("b", PolicyActionKind.Move, world.HostId("hot")));
        move.Reason.Should().Contain("host.cpu.min(10m) = 95");
        result.Suppressed.Where(s => s.Code == SuppressionCode.MoveLimit).Select(s => s.Action.VmName).Should().BeEquivalentTo("a", "c");
    }

    [Fact]
    public void HostFailureRestart_OnHostFailedEvent_RestartsItsRunningVmsElsewhere()
    {
        var policy = Load(PolicyTemplates.HostFailureRestart);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var triggers = new PolicyTriggers(clock);
        triggers.IsDue(policy, clock.GetUtcNow().AddDays(-1)).Should().BeFalse(); // event policies are never due by time
        var world = new SnapshotBuilder(clock.GetUtcNow()).Admin("admin").User("alice")
            .Host("dead", HostPowerState.Failed).Host("fine")
            .Vm("r1", "alice", v => v.OnHost("dead").State(VmState.Failed))
            .Vm("s1", "alice", v => v.OnHost("dead").State(VmState.Stopped))
            .Vm("ok", "alice", v => v.OnHost("fine"));
        var e = PolicyEvent.HostFailed(world.HostId("dead"));
        PolicyTriggers.ReactingTo([policy], e).Should().ContainSingle();
        PolicyTriggers.ReactingTo([policy], PolicyEvent.VmStateChanged(world.VmId("ok"))).Should().BeEmpty();

        var result = _engine.Evaluate(world.Build(), PolicyTriggers.ReactingTo([policy], e), e);
        result.Actions.Select(a => (a.VmName, a.Kind)).Should().Equal(("r1", PolicyActionKind.RestartElsewhere), ("r1", PolicyActionKind.Notify));
        result.Policies.Single().Considered.Should().Be(2); // only the failed host's VMs
    }
}
