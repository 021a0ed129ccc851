using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Scripting;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests.Scripting;

public class ScriptPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly UserFacts Root = new(UserName.Parse("root"), UserRole.Admin);

    private static PolicySnapshot World() => new SnapshotBuilder(Now).Admin("root").User("alice")
        .Vm("big", "alice", v => v.Tags("gpu")).Vm("small", "alice").Build();

    [Fact]
    public async Task RunAsync_AdminScript_ProposesActionsThroughTheEngine()
    {
        var script = ScriptPolicy.Create("gpu-off", Root, """
            foreach (var vm in Vms.Where(v => v.Tags.Contains("gpu")))
                Shutdown(vm, $"{vm.Name} holds a GPU at {Now:HH:mm}");
            """);
        var world = World();
        var run = await script.RunAsync(world, TimeProvider.System, TestContext.Current.CancellationToken);
        run.Outcome.Should().Be(ScriptOutcome.Completed);
        var action = run.Proposals.Should().ContainSingle().Which;
        (action.VmName, action.Kind, action.Scope).Should().Be(("big", PolicyActionKind.Shutdown, PolicyScope.Admin));
        action.Reason.Should().Be("script gpu-off: big holds a GPU at 12:00");

        var evaluation = new PolicyEngine().Evaluate(world, [], scriptProposals: run.Proposals);
        evaluation.Actions.Should().ContainSingle().Which.VmName.Should().Be("big");
    }

    [Fact]
    public void Create_NonAdminOwner_IsRefused()
    {
        var act = () => ScriptPolicy.Create("mine", new UserFacts(UserName.Parse("alice"), UserRole.User), "1");
        act.Should().Throw<DomainException>().Which.Kind.Should().Be(ErrorKind.Forbidden);
    }

    [Fact]
    public void Create_CompileError_SaysWhere()
    {
        var act = () => ScriptPolicy.Create("bad", Root, "var x = 1;\nShutdown(x, \"oops\");");
        act.Should().Throw<DomainException>().WithMessage("line 2, column 10: *");
    }

    [Fact]
    public void Create_Goto_IsRefused()
    {
        var act = () => ScriptPolicy.Create("bad", Root, "again: goto again;");
        act.Should().Throw<DomainException>().WithMessage("line 1, column 1: goto and labels are not allowed*");
    }

    [Fact]
    public async Task RunAsync_EndlessLoop_TimesOut()
    {
        var script = ScriptPolicy.Create("spin", Root, "long n = 0; while (true) { n++; }", TimeSpan.FromMilliseconds(300));
        var run = await script.RunAsync(World(), TimeProvider.System, TestContext.Current.CancellationToken);
        run.Outcome.Should().Be(ScriptOutcome.TimedOut);
        run.Proposals.Should().BeEmpty();
        run.Error.Should().Be("script spin ran longer than 300ms and was stopped");
        run.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RunAsync_EndlessRecursion_FailsWithoutCrashing()
    {
        var script = ScriptPolicy.Create("deep", Root, "int F(int n) => F(n + 1) + 1; F(0);", TimeSpan.FromSeconds(10));
        var run = await script.RunAsync(World(), TimeProvider.System, TestContext.Current.CancellationToken);
        run.Outcome.Should().Be(ScriptOutcome.Failed);
        run.Error.Should().StartWith("script deep failed: InsufficientExecutionStackException");
    }

    [Fact]
    public async Task RunAsync_ScriptThrows_ReportsFailure()
    {
        var script = ScriptPolicy.Create("boom", Root, "throw new InvalidOperationException(\"no\");");
        var run = await script.RunAsync(World(), TimeProvider.System, TestContext.Current.CancellationToken);
        run.Outcome.Should().Be(ScriptOutcome.Failed);
        run.Error.Should().Be("script boom failed: InvalidOperationException: no");
    }
}
