using Octopus.Policies.Language;

namespace Octopus.Policies.Tests.Language;

/// <summary>Hostile conditions: each limit is hit with its own clear error, never a crash or a hang.</summary>
public class LimitsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compile_DeepParentheses_RefusedAtDepthLimit()
    {
        var text = new string('(', 10_000) + "true" + new string(')', 10_000);
        var act = () => Condition.Compile(text);
        act.Should().Throw<PolicyLanguageException>().WithMessage("*condition is too long: 20004 characters, at most 4096");
        var nested = new string('(', 40) + "true" + new string(')', 40);
        var act2 = () => Condition.Compile(nested);
        act2.Should().Throw<PolicyLanguageException>().WithMessage("line 1, column 33: condition is nested too deeply (at most 32 levels)");
    }

    [Fact]
    public void Compile_DeepNegation_RefusedAtDepthLimit()
    {
        var act = () => Condition.Compile(new string('!', 100) + "true");
        act.Should().Throw<PolicyLanguageException>().WithMessage("*nested too deeply (at most 32 levels)");
    }

    [Fact]
    public void Compile_DeepListNesting_Refused()
    {
        var act = () => Condition.Compile(new string('[', 50) + new string(']', 50) + " == 1");
        act.Should().Throw<PolicyLanguageException>().WithMessage("*nested too deeply*");
    }

    [Theory]
    [InlineData("vm.cores > 12345678901234567890", "line 1, column 12: number literal is too large (at most 18 digits)")]
    [InlineData("vm.age > 100000d", "line 1, column 10: duration is too long (at most 3650 days)")]
    [InlineData("vm.age > 3000d + 3000d", "")] // each literal is within bounds; the sum is computed, not a literal
    public void Compile_HugeLiterals_Refused(string text, string message)
    {
        var act = () => Condition.Compile(text);
        if (message.Length == 0) act.Should().NotThrow();
        else act.Should().Throw<PolicyLanguageException>().WithMessage(message);
    }

    [Fact]
    public void Compile_HugeString_Refused()
    {
        var act = () => Condition.Compile("vm.name == \"" + new string('a', 300) + "\"");
        act.Should().Throw<PolicyLanguageException>().WithMessage("line 1, column 12: string literal is too long (at most 256 characters)");
    }

    [Fact]
    public void Compile_EndlessList_RefusedAtListLimit()
    {
        var text = "vm.cores in [" + string.Join(",", Enumerable.Range(0, 1000)) + "]";
        var act = () => Condition.Compile(text);
        act.Should().Throw<PolicyLanguageException>().WithMessage("line 1, column 13: list is too long (at most 64 elements)");
    }

    [Fact]
    public void Compile_TooManyNodes_Refused()
    {
        // 300 comparisons joined by || = 300 × 3 nodes + 299 ors > 512 nodes, in under 4,096 characters
        var text = string.Join("||", Enumerable.Repeat("1<2", 300));
        var act = () => Condition.Compile(text);
        act.Should().Throw<PolicyLanguageException>().WithMessage("*condition is too large: more than 512 parts; split it into several policies");
    }

    [Fact]
    public void Evaluate_StepLimitExhausted_ThrowsClearError()
    {
        // 30 conjuncts, each scanning a 64-element list: about 30 × 66 = 1,980 steps, over a limit of 500.
        var list = "[" + string.Join(",", Enumerable.Range(1000, 64).Select(i => $"\"t{i}\"")) + "]";
        var text = string.Join(" || ", Enumerable.Repeat($"vm.name in {list}", 30));
        var limits = LanguageLimits.Default with { MaxSourceLength = 100_000, MaxNodes = 10_000, MaxEvaluationSteps = 500 };
        var snapshot = new SnapshotBuilder(Now).User("alice").Vm("web", "alice").Build();
        var act = () => ConditionHarness.Run(text, snapshot, "web", limits: limits);
        act.Should().Throw<StepLimitExceededException>()
            .WithMessage("the condition took more than 500 evaluation steps for one VM; simplify it (fewer list elements or shorter CPU windows)");
    }

    [Fact]
    public void Evaluate_CpuScanCountsSteps()
    {
        // vm.cpu.max(1d) over 1,441 per-minute samples costs ≥ 1,441 steps: over a limit of 1,000.
        var snapshot = new SnapshotBuilder(Now).User("alice").Vm("web", "alice", v => v.Cpu(SnapshotBuilder.Flat(1, 1440))).Build();
        var limits = LanguageLimits.Default with { MaxEvaluationSteps = 1000 };
        var act = () => ConditionHarness.Run("vm.cpu.max(1d) < 5", snapshot, "web", limits: limits);
        act.Should().Throw<StepLimitExceededException>();
        ConditionHarness.Run("vm.cpu.avg(1d) < 5", snapshot, "web", limits: limits).Holds.Should().BeTrue(); // avg uses prefix sums
    }

    [Fact]
    public void Evaluate_IntegerOverflow_IsAnErrorNotAWrap()
    {
        var snapshot = new SnapshotBuilder(Now).User("alice").Vm("web", "alice").Build();
        var (holds, error) = ConditionHarness.Run("999999999999999999 * 999999999999999999 > 0", snapshot, "web");
        holds.Should().BeFalse();
        error.Should().Be("integer overflow");
    }
}
