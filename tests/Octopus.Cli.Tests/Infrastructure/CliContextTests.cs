using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Infrastructure;

public class CliContextTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080/")]
    [InlineData("127.0.0.1:5080", "http://127.0.0.1:5080/")]   // scheme assumed
    [InlineData("https://octopus.example/api", "https://octopus.example/api")]
    public void ParseUrl_AcceptsServerAddresses(string text, string expected) =>
        CliContext.ParseUrl(text).ToString().Should().Be(expected);

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("http://")]
    public void ParseUrl_RejectsOthers(string text) =>
        FluentActions.Invoking(() => CliContext.ParseUrl(text)).Should().Throw<CliException>().Which.ExitCode.Should().Be(ExitCodes.Usage);
}
