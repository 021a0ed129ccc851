using Octopus.Policies.Language;

namespace Octopus.Policies.Tests.Language;

public class ParserTests
{
    [Theory]
    // text, expected message (position first, then what was expected)
    [InlineData("vm.cpu.avg(x) < 5", "line 1, column 12: expected a duration such as 2h, found 'x'")]
    [InlineData("vm.cpu.avg(5) < 5", "line 1, column 12: expected a duration such as 2h, found '5' (add a unit: ms, s, m, h, d or w)")]
    [InlineData("vm.state = \"Running\"", "line 1, column 10: expected '==' to compare, found '=' (there is no assignment)")]
    [InlineData("vm.state == ", "line 1, column 13: expected a value (a fact such as vm.state, a number, a \"string\", a duration such as 2h, or a [list]), found end of condition")]
    [InlineData("(vm.age > 2h", "line 1, column 13: expected ')' to close '(' opened at line 1, column 1, found end of condition")]
    [InlineData("vm.age > 2x", "line 1, column 11: expected a duration unit (ms, s, m, h, d or w) after 2, found 'x'")]
    [InlineData("\"open", "line 1, column 1: string is not closed: expected \" before the end of the line")]
    [InlineData("1 < 2 < 3", "line 1, column 7: comparisons do not chain: expected '&&' or '||' between two comparisons, found '<'")]
    [InlineData("vm.age > 2h vm.age", "line 1, column 13: expected an operator or the end of the condition, found 'vm'")]
    [InlineData("", "line 1, column 1: expected a condition such as vm.state == \"Running\", found nothing")]
    [InlineData("vm.state == \"a\" &\n true", "line 1, column 17: expected '&&', found '&'")]
    [InlineData("vm.state == \"Running\" &&\n  vm.cpu.avg(2h) < 5 &&\n  now.hour ><  3", "line 3, column 13: expected a value (a fact such as vm.state, a number, a \"string\", a duration such as 2h, or a [list]), found '<'")]
    [InlineData("1.5e3 > 2", "line 1, column 4: exponents are not supported; write the number out (e.g. 1500.0)")]
    [InlineData("'a\\q' == 'b'", "line 1, column 3: unknown escape '\\q': use \\n, \\t, \\\\, \\\" or \\'")]
    [InlineData("vm.state == # x", "line 1, column 13: unexpected character '#'")]
    public void Compile_MalformedText_ReportsPositionAndExpectation(string text, string message)
    {
        var act = () => Condition.Compile(text);
        act.Should().Throw<PolicyLanguageException>().WithMessage(message.Replace("*", "\\*", StringComparison.Ordinal).Replace("?", "\\?", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_Comments_AreIgnored()
    {
        var c = Condition.Compile("// idle VMs\nvm.age > 1h // old enough");
        c.FactsUsed.Should().Equal("vm.age");
    }

    [Fact]
    public void Compile_CompositeDuration_AddsParts()
    {
        // 1h30m = 90 minutes, so comparing with 90m is equal
        Condition.Compile("1h30m == 90m").Should().NotBeNull();
        DurationText.TryParse("1h30m", out var d, out _).Should().BeTrue();
        d.Should().Be(TimeSpan.FromMinutes(90));
    }
}
