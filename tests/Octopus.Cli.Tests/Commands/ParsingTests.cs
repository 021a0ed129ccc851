using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Commands;

/// <summary>Command-line mistakes are exit 2 with a message naming what was wrong; nothing reaches the server.</summary>
public class ParsingTests
{
    [Theory]
    [InlineData("--memory", "4XB", "'4XB' is not a size for --memory")]
    [InlineData("--disk", "lots", "'lots' is not a size for --disk")]
    [InlineData("--memory", "0", "'0' is not a size for --memory")]
    public async Task VmCreate_BadSize_IsUsageError(string option, string value, string message)
    {
        using var cli = new CliRunner().LoggedIn();
        string[] args = ["vm", "create", "--name", "web1", "--cores", "2", "--memory", "4GiB", "--disk", "20GiB", "--image", "debian-12"];
        args[Array.IndexOf(args, option) + 1] = value;

        var (exit, _, err) = await cli.RunAsync(args);

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain(message).And.Contain("4GiB, 512MiB or 20GB").And.Contain("octopus vm create --help");
        cli.Api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task VmCreate_MissingName_IsUsageError()
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "create", "--cores", "2", "--memory", "4GiB", "--disk", "20GiB", "--image", "debian-12");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("--name");
    }

    [Fact]
    public async Task VmCreate_ZeroCores_IsUsageError()
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "create", "--name", "w", "--cores", "0", "--memory", "4GiB", "--disk", "20GiB", "--image", "d");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("--cores must be at least 1");
    }

    [Theory]
    [InlineData("vm")]
    [InlineData("frobnicate")]
    [InlineData("host", "maintenance", "host-01", "maybe")]
    [InlineData("audit", "--limit", "0")]
    [InlineData("vm", "show")]
    [InlineData("user", "quota", "bob", "--max-cores", "-3")]
    [InlineData("user", "quota", "bob", "--max-memory", "heaps")]
    public async Task BadCommandLine_IsUsageError(params string[] args)
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, err) = await cli.RunAsync(args);

        exit.Should().Be(ExitCodes.Usage);
        err.Should().StartWith("error: ");
        cli.Api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task UserQuota_NoLimitGiven_IsUsageError()
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, err) = await cli.RunAsync("user", "quota", "bob");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("give at least one limit");
    }

    [Fact]
    public async Task Help_IsExitZero()
    {
        using var cli = new CliRunner();

        var (exit, output, _) = await cli.RunAsync("vm", "--help");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("create").And.Contain("explain");
    }

    [Fact]
    public async Task BadUrl_IsUsageError()
    {
        using var cli = new CliRunner();

        var (exit, _, err) = await cli.RunAsync("health", "--url", "ftp://nope");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("'ftp://nope' is not a server URL");
    }
}
