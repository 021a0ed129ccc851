using Octopus.Simulation.Output;

namespace Octopus.Simulation.Tests.Output;

public sealed class PolicyFileTests
{
    [Theory]
    [InlineData("""{"octopus.fill": 0.95, "octopus.dwell": 0}""")]
    [InlineData("octopus:\n  fill: 0.95\n  dwell: 0\n")]
    [InlineData("octopus.fill: 0.95\noctopus: { dwell: 0 }\n")]
    public void TryParse_JsonOrYamlFlatOrNested_SetsTheOptions(string text)
    {
        PolicyFile.TryParse(text, "p.yaml", out var s, out var error).Should().BeTrue(error);
        s.Values.Should().HaveCount(2);
        s.Values["octopus.fill"].Should().Be(0.95);
        s.Values["octopus.dwell"].Should().Be(0);
    }

    [Theory]
    [InlineData("""{"octopus.fill": 3}""", "policy file 'p.json': option octopus.fill must be from 0.5 to 1; got 3")]
    [InlineData("""{"octopus": {"fill": [1]}}""", "policy file 'p.json': option octopus.fill needs a number, not a list or mapping")]
    [InlineData("[1, 2]", "policy file 'p.json' must hold a mapping")]
    [InlineData("{\"octopus.fill\": ", "policy file 'p.json' is not valid JSON or YAML")]
    public void TryParse_BadFile_NamesFileAndOption(string text, string message)
    {
        PolicyFile.TryParse(text, "p.json", out _, out var error).Should().BeFalse();
        error.Should().StartWith(message);
    }

    [Fact]
    public void TryLoad_MissingFile_SaysSo()
    {
        PolicyFile.TryLoad("/nonexistent/p.yaml", out _, out var error).Should().BeFalse();
        error.Should().StartWith("cannot read policy file '/nonexistent/p.yaml'");
    }
}
