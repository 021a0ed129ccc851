using System.Net;
using System.Text.Json;
using Octopus.Cli.Commands;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Commands;

/// <summary>Wire bodies of the operation endpoint.</summary>
public static class MigrationWire
{
    public static string Operation(string status, double? progress, double? total = null, double? downtime = null, string? error = null) =>
        $$"""
        {"id":"op-1","vm":"web1","kind":"MigrateVm","status":"{{status}}","progress":{{Num(progress)}},"error":{{(error is null ? "null" : $"\"{error}\"")}},
         "targetHost":"host-02","createdAt":"2026-11-24T10:00:00Z","completedAt":null,"totalSeconds":{{Num(total)}},"downtimeMilliseconds":{{Num(downtime)}}}
        """;

    private static string Num(double? d) => d is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
}

public class VmConsoleAndMigrateTests
{
    [Fact]
    public async Task Migrate_Fails_ExitsOneWithTheReasonAndWhereTheVmStays()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/migrate", HttpStatusCode.Accepted, Wire.Vm(state: "Migrating", host: "host-01"))
            .Ok("GET", "/api/v1/vms/vm-1/operation", MigrationWire.Operation("Running", 0.3),
                MigrationWire.Operation("Failed", 0.3, error: "destination stopped answering"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "migrate", "web1", "--to", "host-02");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("error: Migration of web1 to host-02 failed: destination stopped answering.").And.Contain("keeps running on host-01");
    }

    [Fact]
    public async Task Migrate_Json_PrintsTheFinishedOperationWithTimes()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/migrate", HttpStatusCode.Accepted, Wire.Vm(state: "Migrating"))
            .Ok("GET", "/api/v1/vms/vm-1/operation", MigrationWire.Operation("Succeeded", 1, total: 0.6, downtime: 80))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: "Running", host: "host-02"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("--json", "vm", "migrate", "web1", "--to", "host-02");

        exit.Should().Be(ExitCodes.Ok);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.GetProperty("state").GetString().Should().Be("Running");
        doc.RootElement.GetProperty("host").GetString().Should().Be("host-02");
        var migration = doc.RootElement.GetProperty("migration");
        migration.GetProperty("status").GetString().Should().Be("Succeeded");
        migration.GetProperty("totalSeconds").GetDouble().Should().Be(0.6);
        migration.GetProperty("downtimeMilliseconds").GetDouble().Should().Be(80);
    }

    [Fact]
    public async Task Migrate_OnATerminal_FollowsWithTheProgressBarAndEndsWithTheResult()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/migrate", HttpStatusCode.Accepted, Wire.Vm(state: "Migrating"))
            .Ok("GET", "/api/v1/vms/vm-1/operation", MigrationWire.Operation("Running", 0.4), MigrationWire.Operation("Succeeded", 1, total: 1.5, downtime: 12));
        using var cli = new CliRunner(api).LoggedIn();
        cli.OutputIsTerminal = true;

        var (exit, output, _) = await cli.RunAsync("vm", "migrate", "web1", "--to", "host-02");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("VM web1 migrated to host-02 in 1.50 s, downtime 12 ms.");
    }

    [Fact]
    public async Task Migrate_NoWait_ReturnsAtOnce()
    {
        var api = new CannedApi().On("POST", "/api/v1/vms/web1/migrate", HttpStatusCode.Accepted, Wire.Vm(state: "Migrating"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "migrate", "web1", "--to", "host-02", "--no-wait");

        exit.Should().Be(ExitCodes.Ok);
        output.Trim().Should().Be("web1: Migrating.");
        api.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Console_PrintsTheTailAndAsksForTheBytesGiven()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/vms/web1/console?bytes=100", """{"vm":"web1","text":"boot\u001b[2J ok\r\nweb1 login: ","bytes":20}""");
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "console", "web1", "--bytes", "100");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Be("boot?[2J ok\nweb1 login: ", "control characters from the guest are not passed to the terminal");
    }

    [Fact]
    public async Task Console_NeverRan_ExitsOneWithTheServersReason()
    {
        var api = new CannedApi().On("GET", "/api/v1/vms/web1/console", HttpStatusCode.Conflict,
            Wire.Problem(409, "Conflict", "VM 'web1' has never run (it is Pending), so it has no console output yet; start it first.", "console.never-ran"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "console", "web1");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("has never run");
    }

    [Fact]
    public async Task Console_BadBytes_IsAUsageError()
    {
        using var cli = new CliRunner().LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "console", "web1", "--bytes", "0");

        exit.Should().Be(ExitCodes.Usage);
        err.Should().Contain("--bytes must be between 1 and 1048576");
    }

    [Theory]
    [InlineData("abc", "abcdef", "def")]
    [InlineData("abcdef", "cdefgh", "gh")]
    [InlineData("", "xy", "xy")]
    [InlineData("abc", "abc", "")]
    [InlineData("abc", "xyz", "xyz")]
    public void Appended_FindsWhatTheGuestWroteSinceTheLastReading(string before, string after, string expected) =>
        VmConsoleCommand.Appended(before, after).Should().Be(expected);
}
