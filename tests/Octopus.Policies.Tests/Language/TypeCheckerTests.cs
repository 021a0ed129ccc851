using Octopus.Policies.Language;

namespace Octopus.Policies.Tests.Language;

public class TypeCheckerTests
{
    [Theory]
    [InlineData("vm.cpus > 2", "line 1, column 1: unknown fact 'vm.cpus'; vm facts are: vm.id, *")]
    [InlineData("vm.state == running", "line 1, column 13: unknown name 'running': facts start with vm., host., now. or user. (strings need quotes: \"running\")")]
    [InlineData("vm.state == \"running\"", "line 1, column 13: vm.state is never \"running\": expected one of \"Pending\", *")]
    [InlineData("now.weekday in [\"Sat\", \"Sunday\"]", "line 1, column 16: now.weekday is never \"Sunday\": *")]
    [InlineData("vm.age > 5", "line 1, column 8: cannot compare a duration with a int using '>': expected a duration such as 2h, found '5'")]
    [InlineData("vm.cores", "line 1, column 1: expected the condition to be true or false (a bool), but it is a int; *")]
    [InlineData("vm.cpu > 5", "line 1, column 1: 'vm.cpu' is not a value by itself; use one of vm.cpu.now, vm.cpu.avg(DURATION), *")]
    [InlineData("vm.lease", "line 1, column 1: 'vm.lease' is not a value by itself; use one of vm.lease.expiresIn, vm.lease.expired, or has(vm.lease)")]
    [InlineData("vm.cpu.avg < 5", "line 1, column 1: vm.cpu.avg needs a window: write vm.cpu.avg(2h) with a duration")]
    [InlineData("vm.name() == \"a\"", "line 1, column 1: vm.name is a fact, not a function: remove the parentheses")]
    [InlineData("exec(\"rm -rf /\")", "line 1, column 1: unknown function 'exec'; *")]
    [InlineData("vm.name.GetType() == 1", "line 1, column 9: unknown function 'GetType' on a string; *")]
    [InlineData("vm.age > 2h && 5", "line 1, column 16: expected a true/false (bool) value on the right of '&&', found a int")]
    [InlineData("!vm.cores", "line 1, column 1: expected a true/false (bool) value after '!', found a int")]
    [InlineData("vm.name in vm.cores", "line 1, column 12: expected a list after 'in' (e.g. [\"a\", \"b\"] or vm.tags), found a int")]
    [InlineData("5 in vm.tags", "line 1, column 3: cannot look for a int in a list(string)")]
    [InlineData("[1, \"a\"] == [1]", "line 1, column 5: expected every list element to be a int like the first, found a string")]
    [InlineData("vm.name in [vm.owner]", "line 1, column 13: expected a literal list element (a number, \"string\" or duration), found vm.owner")]
    [InlineData("vm.age + 5 > 1h", "line 1, column 8: cannot apply '+' to a duration and a int; durations only add to and subtract from durations")]
    [InlineData("vm.memoryGiB % 2 == 0", "line 1, column 14: '%' needs two ints; use int(x) to truncate a double")]
    [InlineData("true < false", "line 1, column 6: cannot compare a bool with a bool using '<': true/false values only compare with == and !=")]
    [InlineData("size(vm.cores) > 1", "line 1, column 6: expected a string or a list, found vm.cores (a int)")]
    [InlineData("has(1)", "line 1, column 5: expected a fact such as vm.lease or vm.host, found 1")]
    [InlineData("system.exit == 1", "line 1, column 1: unknown name 'system.exit': *")]
    public void Compile_IllTyped_ReportsWhatWasExpected(string text, string pattern)
    {
        var act = () => Condition.Compile(text);
        act.Should().Throw<PolicyLanguageException>().WithMessage(pattern);
    }

    [Theory]
    [InlineData("vm.state == \"Running\" && vm.cpu.avg(2h) < 5")]
    [InlineData("\"nightly\" in vm.tags")]
    [InlineData("has(vm.lease) && vm.lease.expiresIn < 1d")]
    [InlineData("vm.cores * 2 >= 4 && vm.memoryGiB / 2.0 > 1")]
    [InlineData("vm.age - 1h > 30m")]
    [InlineData("now.hour in [0, 1, 2] || now.weekday == \"Sat\"")]
    [InlineData("vm.name.startsWith(\"lab-\") && size(vm.tags) > 0")]
    [InlineData("int(vm.memoryGiB) % 2 == 0 && double(vm.cores) > 1.5")]
    [InlineData("user.role == \"admin\" || host.cpu.min(10m) > 90")]
    [InlineData("vm.name in []")]
    [InlineData("-vm.cores < -1 || 2.5 in [-1, 2.5]")]
    public void Compile_WellTyped_Succeeds(string text)
    {
        Condition.Compile(text).Text.Should().Be(text);
    }

    [Fact]
    public void Compile_ListEquality_IsRefused()
    {
        // Lists only appear after 'in' and in size(); comparing two lists has no use in a policy.
        var act = () => Condition.Compile("[1] == [1]");
        act.Should().Throw<PolicyLanguageException>().WithMessage("line 1, column 5: cannot compare a list(int) with a list(int) using '=='");
    }
}
