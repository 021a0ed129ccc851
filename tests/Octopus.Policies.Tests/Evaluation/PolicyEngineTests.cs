using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;

namespace Octopus.Policies.Tests.Evaluation;

public class PolicyEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly PolicyEngine _engine = new();

    private static CompiledPolicy Policy(string name, string owner, PolicyScope scope, string condition, PolicyAction action, int priority = 50,
        PolicySelector? select = null, bool enabled = true) =>
        CompiledPolicy.Compile(new PolicyDocument
        {
            Name = name, Owner = UserName.Parse(owner), Scope = scope, Condition = condition, Actions = [action], Priority = priority,
            Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)), Select = select ?? PolicySelector.All, Enabled = enabled,
        });

    private static SnapshotBuilder World() => new SnapshotBuilder(Now).Admin("root").User("alice").User("bob")
        .Host("h1").Host("h2")
        .Vm("alice-1", "alice", v => v.OnHost("h1").Tags("web").Image("debian-13"))
        .Vm("alice-2", "alice", v => v.OnHost("h2").Created(Now.AddDays(-40)))
        .Vm("bob-1", "bob", v => v.OnHost("h1").Tags("web"));

    [Fact]
    public void Evaluate_UserPolicyMatchingEverything_TouchesOnlyItsOwnersVms()
    {
        // The condition is true for every VM, and even names bob's VM: the rule holds whatever the condition says.
        var p = Policy("grab", "alice", PolicyScope.User, "true || vm.owner == \"bob\"", new ShutdownAction());
        var result = _engine.Evaluate(World().Build(), [p]);
        result.Actions.Select(a => a.VmName).Should().Equal("alice-1", "alice-2");
        result.Actions.Should().OnlyContain(a => a.VmOwner == UserName.Parse("alice"));
    }

    [Fact]
    public void Evaluate_UserPolicyEvent_ForAnotherUsersVm_IsIgnored()
    {
        var world = World();
        var p = Policy("grab", "alice", PolicyScope.User, "true", new ShutdownAction());
        var result = _engine.Evaluate(world.Build(), [p], PolicyEvent.VmStateChanged(world.VmId("bob-1")));
        result.Actions.Should().BeEmpty();
        result.Policies.Single().Considered.Should().Be(0);
    }

    [Fact]
    public void Evaluate_UserScopedProposalForAnotherUsersVm_IsRefusedAsDefenceInDepth()
    {
        // A proposal that claims to come from alice's user policy but names bob's VM (as a buggy caller might make).
        var world = World();
        var snapshot = world.Build();
        var bob1 = snapshot.FindVm(world.VmId("bob-1"))!;
        var forged = new IntendedAction("grab", UserName.Parse("alice"), PolicyScope.User, new DeleteAction(TimeSpan.Zero), bob1.Id, bob1.Name,
            bob1.Owner, bob1.Host, "forged", []);
        var result = _engine.Evaluate(snapshot, [], scriptProposals: [forged]);
        result.Actions.Should().BeEmpty();
        result.Suppressed.Should().ContainSingle().Which.Code.Should().Be(SuppressionCode.NotAuthorised);
    }

    [Fact]
    public void Evaluate_AdminPolicyOwnedByNonAdmin_IsNotEvaluated()
    {
        var p = Policy("sneaky", "alice", PolicyScope.Admin, "true", new ShutdownAction());
        var result = _engine.Evaluate(World().Build(), [p]);
        result.Actions.Should().BeEmpty();
        result.Problems.Should().ContainSingle().Which.Should().Be(new PolicyProblem("sneaky", "policy.owner-not-admin",
            "policy sneaky was not evaluated: it is an admin policy but its owner 'alice' is not an administrator"));
    }

    [Fact]
    public void Evaluate_PolicyOfUnknownOwner_IsNotEvaluated()
    {
        var p = Policy("orphan", "carol", PolicyScope.User, "true", new ShutdownAction());
        var result = _engine.Evaluate(World().Build(), [p]);
        result.Actions.Should().BeEmpty();
        result.Problems.Single().Code.Should().Be("policy.owner-unknown");
    }

    [Fact]
    public void Compile_UserPolicyWithAdminOnlyAction_IsRefused()
    {
        var act = () => Policy("m", "alice", PolicyScope.User, "true", new MoveAction());
        act.Should().Throw<PolicyDocumentException>().WithMessage("*'Move' chooses hosts, so only an admin policy may use it");
    }

    [Theory]
    [InlineData("owners", "bob-1")]
    [InlineData("tags", "alice-1,bob-1")]
    [InlineData("hosts", "alice-2")]
    [InlineData("images", "alice-1")]
    [InlineData("olderThan", "alice-2")] // created 40 days ago; the others 1 day ago
    [InlineData("newerThan", "alice-1,bob-1")]
    public void Evaluate_AdminSelector_PicksVms(string by, string expected)
    {
        var select = by switch
        {
            "owners" => new PolicySelector { Owners = [UserName.Parse("bob")] },
            "tags" => new PolicySelector { Tags = ["web"] },
            "hosts" => new PolicySelector { Hosts = ["h2"] },
            "images" => new PolicySelector { Images = ["debian-13"] },
            "olderThan" => new PolicySelector { OlderThan = TimeSpan.FromDays(30) },
            _ => new PolicySelector { NewerThan = TimeSpan.FromDays(30) },
        };
        var p = Policy("sel", "root", PolicyScope.Admin, "true", new NotifyAction(null), select: select);
        _engine.Evaluate(World().Build(), [p]).Actions.Select(a => a.VmName).Should().Equal(expected.Split(','));
    }

    [Fact]
    public void Evaluate_AdminOutranksUser_WhateverTheAction()
    {
        var user = Policy("u-off", "alice", PolicyScope.User, "true", new ShutdownAction(), priority: 100);
        var admin = Policy("a-cp", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", new CheckpointAction(3, null), priority: 0);
        var result = _engine.Evaluate(World().Build(), [user, admin]);
        result.Actions.Select(a => (a.VmName, a.Kind)).Should().Equal(("alice-1", PolicyActionKind.Checkpoint), ("alice-2", PolicyActionKind.Shutdown));
        result.Suppressed.Should().ContainSingle().Which.Why.Should().Be("outranked by a-cp's checkpoint (an admin policy outranks a user policy)");
    }

    [Theory]
    // Two admin policies on the same VM: precedence delete > shutdown > suspend > restartElsewhere > move > checkpoint.
    [InlineData("shutdown", "suspend", "shutdown", "shutdown takes precedence over suspend")]
    [InlineData("checkpoint", "move", "move", "move takes precedence over checkpoint")]
    [InlineData("suspend", "restartElsewhere", "suspend", "suspend takes precedence over restartElsewhere")]
    public void Evaluate_SameScope_PrecedenceDecides(string first, string second, string winner, string why)
    {
        static PolicyAction Make(string k) => k switch
        {
            "shutdown" => new ShutdownAction(),
            "suspend" => new SuspendAction(),
            "move" => new MoveAction(),
            "restartElsewhere" => new RestartElsewhereAction(),
            _ => new CheckpointAction(1, null),
        };
        var p1 = Policy("p1", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", Make(first));
        var p2 = Policy("p2", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", Make(second));
        var result = _engine.Evaluate(World().Build(), [p2, p1]);
        ConflictResolver.Name(result.Actions.Single().Kind).Should().Be(winner);
        result.Suppressed.Single().Why.Should().EndWith($"({why})");
    }

    [Fact]
    public void Evaluate_SameScopeAndAction_HigherPriorityThenNameDecides()
    {
        var low = Policy("aaa", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", new ShutdownAction(), priority: 10);
        var high = Policy("zzz", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", new ShutdownAction(), priority: 90);
        _engine.Evaluate(World().Build(), [low, high]).Actions.Single().Policy.Should().Be("zzz");
        var tie = Policy("zzz", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", new ShutdownAction(), priority: 10);
        var result = _engine.Evaluate(World().Build(), [tie, low]);
        result.Actions.Single().Policy.Should().Be("aaa");
        result.Suppressed.Single().Why.Should().EndWith("(same rank; the policy name decides)");
    }

    [Fact]
    public void Evaluate_NotifyNeverConflicts()
    {
        var off = Policy("off", "root", PolicyScope.Admin, "vm.name == \"alice-1\"", new ShutdownAction());
        var tell = Policy("tell", "alice", PolicyScope.User, "vm.name == \"alice-1\"", new NotifyAction("hi"));
        var result = _engine.Evaluate(World().Build(), [off, tell]);
        result.Actions.Select(a => (a.Policy, a.Kind)).Should().Equal(("off", PolicyActionKind.Shutdown), ("tell", PolicyActionKind.Notify));
        result.Suppressed.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_ProtectedBlocksDelete_AndTheNextActionWins()
    {
        var world = new SnapshotBuilder(Now).Admin("root").User("alice").Vm("keep", "alice", v => v.Tags("protected"));
        var snapshot = world.Build();
        var delete = Policy("del", "root", PolicyScope.Admin, "true", new DeleteAction(TimeSpan.Zero), priority: 100);
        var off = Policy("off", "root", PolicyScope.Admin, "true", new ShutdownAction());
        // Even with a warning already sent and no grace, protected wins.
        var warned = new PolicySnapshotWithWarning(snapshot, "del", world.VmId("keep"), Now.AddDays(-1)).Snapshot;
        var result = _engine.Evaluate(warned, [delete, off]);
        result.Actions.Select(a => (a.Policy, a.Kind)).Should().Equal(("off", PolicyActionKind.Shutdown));
        result.Suppressed.Single().Code.Should().Be(SuppressionCode.Protected);
    }

    [Fact]
    public void Evaluate_ResultDoesNotDependOnInputOrder()
    {
        var policies = new[]
        {
            Policy("p-a", "root", PolicyScope.Admin, "true", new SuspendAction()),
            Policy("p-b", "root", PolicyScope.Admin, "\"web\" in vm.tags", new ShutdownAction()),
            Policy("p-c", "alice", PolicyScope.User, "true", new NotifyAction(null)),
        };
        var world = World();
        var snapshot = world.Build();
        var forward = _engine.Evaluate(snapshot, policies);
        var backward = _engine.Evaluate(snapshot, policies.Reverse());
        backward.Actions.Select(a => a.ToString()).Should().Equal(forward.Actions.Select(a => a.ToString()));
        backward.Suppressed.Select(a => a.ToString()).Should().Equal(forward.Suppressed.Select(a => a.ToString()));
    }

    [Fact]
    public void Evaluate_DisabledPolicy_SkippedButPreviewShowsIt()
    {
        var p = Policy("off", "alice", PolicyScope.User, "true", new ShutdownAction(), enabled: false);
        _engine.Evaluate(World().Build(), [p]).Actions.Should().BeEmpty();
        _engine.Preview(World().Build(), p).Actions.Should().HaveCount(2);
    }

    [Fact]
    public void Evaluate_StepLimitOnOneVm_ReportsProblemAndGoesOn()
    {
        // "long" has 501 samples: scanning 8 h of them for max exceeds a 100-step limit. "short" has 11: max(8h) is absent
        // (not covered), and CEL-style absorption lets the right side decide: max(10m) = 1 % < 5.
        var world = new SnapshotBuilder(Now).User("alice")
            .Vm("long", "alice", v => v.Cpu(SnapshotBuilder.Flat(1, 500)))
            .Vm("short", "alice", v => v.Cpu(SnapshotBuilder.Flat(1, 10)));
        var doc = new PolicyDocument
        {
            Name = "scan", Owner = UserName.Parse("alice"), Condition = "vm.cpu.max(8h) < 5 || vm.cpu.max(10m) < 5",
            Actions = [new ShutdownAction()], Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)),
        };
        var p = CompiledPolicy.Compile(doc, Octopus.Policies.Language.LanguageLimits.Default with { MaxEvaluationSteps = 100 });
        var result = _engine.Evaluate(world.Build(), [p]);
        result.Problems.Should().ContainSingle().Which.Message.Should().StartWith("VM long: the condition took more than 100 evaluation steps");
        result.Actions.Select(a => a.VmName).Should().Equal("short");
    }
}

/// <summary>Rebuilds a snapshot with one more warning record.</summary>
internal sealed record PolicySnapshotWithWarning(Octopus.Policies.Snapshots.PolicySnapshot Source, string Policy, VmId Vm, DateTimeOffset At)
{
    public Octopus.Policies.Snapshots.PolicySnapshot Snapshot => new(Source.Now, Source.Vms, Source.Hosts, Source.Users,
        [.. Source.Warnings, new Octopus.Policies.Snapshots.WarningRecord(Policy, Vm, At, Source.FindVm(Vm)!.LeaseExpiresAt)]);
}
