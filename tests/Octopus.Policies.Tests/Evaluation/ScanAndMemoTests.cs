using Octopus.Domain.Users;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;

namespace Octopus.Policies.Tests.Evaluation;

/// <summary>The engine evaluates whole-cluster admin policies VM by VM and remembers CPU windows per VM; these tests pin
/// that the shortcut changes nothing in the results.</summary>
public class ScanAndMemoTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static CompiledPolicy Admin(string name, string condition, PolicySelector? select = null) => CompiledPolicy.Compile(new PolicyDocument
    {
        Name = name, Owner = UserName.Parse("root"), Scope = PolicyScope.Admin, Condition = condition, Actions = [new NotifyAction(null)],
        Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)), Select = select ?? PolicySelector.All,
    });

    [Fact]
    public void Evaluate_SameWindowDifferentAggregatesAndHistories_EachCorrect()
    {
        // 11 samples over 10 minutes: 1,1,1,5,5,5,5,9,9,9,5 → avg = (3 + 20 + 27 + 5) / 11 = 5, max = 9, min = 1; host flat 50.
        var world = new SnapshotBuilder(Now).Admin("root").User("alice").Host("h", cpu: SnapshotBuilder.Flat(50, 10))
            .Vm("v", "alice", v => v.OnHost("h").Cpu(1, 1, 1, 5, 5, 5, 5, 9, 9, 9, 5));
        var policies = new[]
        {
            Admin("p-max", "vm.cpu.max(10m) == 9"),
            Admin("p-min", "vm.cpu.min(10m) == 1"),
            Admin("p-avg", "vm.cpu.avg(10m) == 5"),
            Admin("p-host", "host.cpu.max(10m) == 50 && host.cpu.min(10m) == 50"),
            Admin("p-again", "vm.cpu.max(10m) == 9 && vm.cpu.max(5m) == 9 && vm.cpu.min(5m) == 5"), // last 6 samples: 5,9,9,9,5 + 5
        };
        var result = new PolicyEngine().Evaluate(world.Build(), policies);
        result.Actions.Select(a => a.Policy).Should().BeEquivalentTo("p-max", "p-min", "p-avg", "p-host", "p-again");
    }

    [Fact]
    public void Evaluate_ScanningAndIndexedPaths_AgreeOnTheSameVms()
    {
        var world = new SnapshotBuilder(Now).Admin("root").User("alice").User("bob")
            .Vm("a", "alice", v => v.Tags("web")).Vm("b", "bob", v => v.Tags("web", "db")).Vm("c", "bob", v => v.Tags("db"));
        var scanning = Admin("scan", "\"web\" in vm.tags");
        var indexed = Admin("index", "true", new PolicySelector { Tags = ["web"] });
        var result = new PolicyEngine().Evaluate(world.Build(), [scanning, indexed]);
        result.Actions.Where(a => a.Policy == "scan").Select(a => a.VmName)
            .Should().Equal(result.Actions.Where(a => a.Policy == "index").Select(a => a.VmName)).And.Equal("a", "b");
    }

    [Fact]
    public void Evaluate_StepCountDoesNotDependOnOtherPolicies()
    {
        // The remembered max still charges its scan, so a policy that exceeds the limit alone exceeds it after another
        // policy computed the same window.
        var world = new SnapshotBuilder(Now).Admin("root").User("alice").Vm("v", "alice", v => v.Cpu(SnapshotBuilder.Flat(1, 300)));
        var limits = Octopus.Policies.Language.LanguageLimits.Default with { MaxEvaluationSteps = 200 };
        CompiledPolicy Limited(string name) => CompiledPolicy.Compile(Admin(name, "vm.cpu.max(4h) < 5").Document, limits);
        var first = CompiledPolicy.Compile(Admin("a-first", "vm.cpu.max(4h) < 5").Document); // default limit: fine
        var result = new PolicyEngine().Evaluate(world.Build(), [first, Limited("b-limited")]);
        result.Actions.Select(a => a.Policy).Should().Equal("a-first");
        result.Problems.Should().ContainSingle().Which.Policy.Should().Be("b-limited");
    }

    [Fact]
    public void Preview_ListsWhichVmsAndWhy()
    {
        var world = new SnapshotBuilder(Now).Admin("root").User("alice")
            .Vm("old", "alice", v => v.Created(Now.AddDays(-40))).Vm("new", "alice", v => v.Created(Now.AddDays(-2)));
        var preview = new PolicyEngine().Preview(world.Build(), Admin("old-vms", "vm.age > 30d"));
        var a = preview.Actions.Should().ContainSingle().Which;
        a.VmName.Should().Be("old");
        a.Reason.Should().Be("policy old-vms: vm.age > 30d holds because vm.age = 40d");
        a.Facts.Should().Equal(new Octopus.Policies.Language.FactValue("vm.age", "40d"));
    }
}

public class ParallelEvaluationTests
{
    [Fact]
    public void Evaluate_Parallel_SameResultAsSequential()
    {
        // 5,000 VMs over 4 ranges (≥ 1,024 each); matches, undecided VMs and step-limit hits in every range.
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var world = new SnapshotBuilder(now).Admin("root").User("alice").User("bob");
        for (var i = 0; i < 5000; i++)
        {
            var n = i;
            world.Vm($"vm-{i:D4}", n % 2 == 0 ? "alice" : "bob", v =>
            {
                if (n % 3 == 0) v.Tags("web");
                if (n % 7 == 0) v.Lease(now.AddHours(-1));
                if (n % 5 == 0) v.Cpu(SnapshotBuilder.Flat(n % 10, n % 11 == 0 ? 400 : 130));
            });
        }
        var snapshot = world.Build();
        CompiledPolicy Admin(string name, string condition, PolicyAction action, Octopus.Policies.Language.LanguageLimits? limits = null) =>
            CompiledPolicy.Compile(new PolicyDocument
            {
                Name = name, Owner = UserName.Parse("root"), Scope = PolicyScope.Admin, Condition = condition, Actions = [action],
                Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)),
            }, limits);
        var policies = new[]
        {
            Admin("idle", "vm.cpu.max(2h) < 5", new ShutdownAction()),
            Admin("web", "\"web\" in vm.tags", new CheckpointAction(3, null)),
            Admin("lease", "vm.lease.expired", new DeleteAction(TimeSpan.Zero)),
            Admin("scan", "vm.cpu.max(6h) < 100", new NotifyAction(null), Octopus.Policies.Language.LanguageLimits.Default with { MaxEvaluationSteps = 300 }),
        };
        var sequential = new PolicyEngine().Evaluate(snapshot, policies);
        var parallel = new PolicyEngine(new PolicyEngineOptions { Parallelism = 4 }).Evaluate(snapshot, policies);
        parallel.Actions.Select(a => a.ToString()).Should().Equal(sequential.Actions.Select(a => a.ToString()));
        parallel.Suppressed.Select(a => a.ToString()).Should().Equal(sequential.Suppressed.Select(a => a.ToString()));
        parallel.Problems.Should().Equal(sequential.Problems);
        parallel.Policies.Should().Equal(sequential.Policies);
        sequential.Actions.Should().NotBeEmpty();
        sequential.Problems.Should().NotBeEmpty();
        sequential.Policies.Should().Contain(p => p.Undecided > 0);
    }
}
