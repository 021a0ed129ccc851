namespace Octopus.Cli.Tests.Commands;

public sealed class AgentCommandTests
{
    [Fact]
    public async Task Agent_WithoutToken_PrintsOneErrorLineAndExits2()
    {
        using var cli = new CliRunner();
        var (exit, stdout, _) = await cli.RunAsync("agent", "--listen", "127.0.0.1:7001", "--data", "/tmp/oa-x", "--storage", "/tmp", "--server", "http://127.0.0.1:5080");
        exit.Should().Be(2);
        stdout.Trim().Should().StartWith("error: --token");
    }

    [Fact]
    public async Task Agent_BadListen_PrintsOneErrorLineAndExits2()
    {
        using var cli = new CliRunner();
        var (exit, stdout, _) = await cli.RunAsync("agent", "--listen", "nowhere", "--data", "/tmp/oa-x", "--storage", "/tmp", "--server", "http://127.0.0.1:5080", "--token", "t");
        exit.Should().Be(2);
        stdout.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: --listen");
    }

    [Fact]
    public async Task Agent_MissingData_IsAUsageError()
    {
        using var cli = new CliRunner();
        var (exit, stdout, stderr) = await cli.RunAsync("agent", "--listen", "127.0.0.1:7001", "--storage", "/tmp", "--server", "http://127.0.0.1:5080", "--token", "t");
        exit.Should().Be(2);
        (stdout + stderr).Should().Contain("--data");
    }

    [Fact]
    public async Task Serve_UnknownDriver_IsAUsageError()
    {
        using var cli = new CliRunner();
        var (exit, stdout, stderr) = await cli.RunAsync("serve", "--driver", "xen");
        exit.Should().Be(2);
        (stdout + stderr).Should().Contain("xen");
    }
}
