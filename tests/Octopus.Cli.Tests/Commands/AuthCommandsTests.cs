using System.Net;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Commands;

public class AuthCommandsTests
{
    [Fact]
    public async Task Login_PasswordStdin_SavesTokenPrivatelyAndLaterCommandsUseIt()
    {
        var api = new CannedApi()
            .Ok("POST", "/api/v1/auth/token", Wire.Token)
            .Ok("GET", "/api/v1/vms", Wire.Page(Wire.Vm()));
        using var cli = new CliRunner(api);

        var (exit, output, _) = await cli.RunWithInputAsync("s3cret\n", "login", "--url", "http://127.0.0.1:5080", "--user", "admin", "--password-stdin");
        var (listExit, _, _) = await cli.RunAsync("vm", "list");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("Logged in to http://127.0.0.1:5080/ as admin (admin)");
        api.Requests[0].Body.Should().Be("""{"username":"admin","password":"s3cret"}""");
        var saved = new ConfigStore(cli.ConfigPath).Load();
        saved.Token.Should().Be("tok-123");
        saved.Url.Should().Be("http://127.0.0.1:5080/");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(cli.ConfigPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listExit.Should().Be(ExitCodes.Ok);
        api.Requests[1].Authorization.Should().Be("Bearer tok-123");
    }

    [Fact]
    public async Task Login_NoTerminalAndNoPasswordStdin_IsUsageError()
    {
        using var cli = new CliRunner();

        var (exit, _, err) = await cli.RunAsync("login", "--url", "http://127.0.0.1:5080", "--user", "admin");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("--password-stdin");
        cli.Api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Login_WrongPassword_IsRejectedNotNotLoggedIn()
    {
        var api = new CannedApi().On("POST", "/api/v1/auth/token", HttpStatusCode.Unauthorized,
            Wire.Problem(401, "Authentication required", "Wrong user name or password.", "auth.invalid"));
        using var cli = new CliRunner(api);

        var (exit, _, err) = await cli.RunWithInputAsync("nope\n", "login", "--url", "http://127.0.0.1:5080", "--user", "admin", "--password-stdin");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("error: Wrong user name or password.");
        File.Exists(cli.ConfigPath).Should().BeFalse();
    }

    [Fact]
    public async Task Logout_ForgetsTokenButKeepsUrl()
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, _) = await cli.RunAsync("logout");
        var (afterExit, _, err) = await cli.RunAsync("vm", "list");

        exit.Should().Be(ExitCodes.Ok);
        var saved = new ConfigStore(cli.ConfigPath).Load();
        saved.Token.Should().BeNull();
        saved.Url.Should().Be("http://127.0.0.1:5080/");
        afterExit.Should().Be(ExitCodes.NotLoggedIn);
        err.Should().Contain("not logged in to http://127.0.0.1:5080/").And.Contain("octopus login");
    }

    [Fact]
    public async Task AnyCommand_NoToken_IsNotLoggedIn()
    {
        using var cli = new CliRunner();

        var (exit, _, err) = await cli.RunAsync("host", "list");

        exit.Should().Be(ExitCodes.NotLoggedIn);
        err.Should().Contain("octopus login --url http://127.0.0.1:5080/ --user NAME");
    }

    [Fact]
    public async Task ExpiredToken_IsNotLoggedIn()
    {
        var api = new CannedApi().On("GET", "/api/v1/me", HttpStatusCode.Unauthorized,
            Wire.Problem(401, "Authentication required", "The token has expired.", "auth.expired"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("whoami");

        exit.Should().Be(ExitCodes.NotLoggedIn);
        err.Should().Contain("The token has expired.").And.Contain("octopus login");
    }

    [Fact]
    public async Task SavedToken_IsNotSentToAnotherServer()
    {
        using var cli = new CliRunner().LoggedIn("http://127.0.0.1:5080/");

        var (exit, _, _) = await cli.RunAsync("vm", "list", "--url", "http://10.0.0.9:5080");

        exit.Should().Be(ExitCodes.NotLoggedIn);
        cli.Api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task TokenFromEnvironment_IsUsed()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/vms", Wire.Page());
        using var cli = new CliRunner(api);
        cli.Environment["OCTOPUS_URL"] = "http://127.0.0.1:5080";
        cli.Environment["OCTOPUS_TOKEN"] = "env-token";

        var (exit, output, _) = await cli.RunAsync("vm", "list");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("No VMs.");
        api.Requests.Single().Authorization.Should().Be("Bearer env-token");
    }

    [Fact]
    public async Task Whoami_Json_PrintsMe()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/me",
            """{"username":"admin","role":"admin","quota":{"maxCores":null,"maxMemoryBytes":null,"maxDiskBytes":null,"maxVms":null},"usage":{"cores":0,"memoryBytes":0,"diskBytes":0,"vms":0}}""");
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("whoami", "--json");

        exit.Should().Be(ExitCodes.Ok);
        System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("username").GetString().Should().Be("admin");
    }
}
