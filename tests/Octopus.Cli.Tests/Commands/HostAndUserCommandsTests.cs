using System.Net;
using System.Text.Json;
using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.Commands;

public class HostAndUserCommandsTests
{
    [Theory]
    [InlineData("on", true)]
    [InlineData("off", false)]
    public async Task HostMaintenance_SendsEnabled(string mode, bool enabled)
    {
        var api = new CannedApi().Ok("POST", "/api/v1/hosts/host-01/maintenance", Wire.Host(maintenance: enabled));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("host", "maintenance", "host-01", mode);

        exit.Should().Be(ExitCodes.Ok);
        api.Requests.Single().Body.Should().Be($$"""{"enabled":{{(enabled ? "true" : "false")}}}""");
        output.Should().Contain(enabled ? "host-01 is in maintenance" : "host-01 is back in service");
    }

    [Fact]
    public async Task HostShow_WaitingMaintenance_SaysWhatItWaitsForAndWhy()
    {
        var host = Wire.Host("host-01", maintenance: true).TrimEnd();
        host = host[..^1] + """
            ,"maintenanceStatus":{"summary":"Waiting: 1 running VM(s) to move off (1 cannot move yet). Powering on host-03 to make room.",
            "waiting":[{"id":"6f0c","name":"big1","reason":"no host fits 1 vCPU, 12 GiB memory: 1 lacks memory, 1 is off"}]}}
            """;
        var api = new CannedApi().Ok("GET", "/api/v1/hosts/host-01", host);
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("host", "show", "host-01");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("Powering on host-03 to make room.").And.Contain("big1: no host fits 1 vCPU, 12 GiB memory");
    }

    [Fact]
    public async Task HostPowerOff_WaitsUntilOff()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/hosts/host-02/power-off", HttpStatusCode.Accepted, Wire.Host("host-02", power: "PoweringOff"))
            .Ok("GET", "/api/v1/hosts/host-02", Wire.Host("host-02", power: "PoweringOff"), Wire.Host("host-02", power: "Off"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("host", "power", "host-02", "off");

        exit.Should().Be(ExitCodes.Ok);
        output.Trim().Should().Be("host-02: Off.");
        api.Requests.Count(r => r.Route == "GET /api/v1/hosts/host-02").Should().Be(2);
    }

    [Fact]
    public async Task HostPowerOff_Occupied_PrintsServerRefusal()
    {
        var api = new CannedApi().On("POST", "/api/v1/hosts/host-01/power-off", HttpStatusCode.Conflict,
            Wire.Problem(409, "Conflict", "Host 'host-01' still holds 1 VM(s) (web1); put it in maintenance to move them away.", "host.not-empty"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("host", "power", "host-01", "off");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("still holds 1 VM(s) (web1)");
    }

    [Fact]
    public async Task HostList_Table_ShowsPowerAllocationAndVms()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/hosts", "[" + Wire.Host() + "," + Wire.Host("host-02", maintenance: true) + "]");
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("host", "list");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("host-01").And.Contain("2/8").And.Contain("4 GiB / 16 GiB").And.Contain("50%").And.Contain("(maintenance)");
    }

    [Fact]
    public async Task UserCreate_SendsRoleQuotaAndPasswordFromStdin()
    {
        var api = new CannedApi().On("POST", "/api/v1/users", HttpStatusCode.Created, Wire.User("bob"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunWithInputAsync("pw-bob\n", "user", "create", "bob", "--password-stdin", "--max-cores", "4", "--max-memory", "16GiB");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("Created user bob.");
        var body = JsonDocument.Parse(api.Requests.Single().Body!).RootElement;
        body.GetProperty("password").GetString().Should().Be("pw-bob");
        body.GetProperty("role").GetString().Should().Be("user");
        body.GetProperty("quota").GetProperty("maxCores").GetInt32().Should().Be(4);
        body.GetProperty("quota").GetProperty("maxMemoryBytes").GetInt64().Should().Be(16L << 30); // 16 GiB
        body.GetProperty("quota").GetProperty("maxVms").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task UserQuota_KeepsLimitsNotGivenAndClearsUnlimited()
    {
        var api = new CannedApi()
            .Ok("GET", "/api/v1/users", Wire.Page(Wire.User("bob", """{"maxCores":4,"maxMemoryBytes":1073741824,"maxDiskBytes":null,"maxVms":3}""")))
            .Ok("PUT", "/api/v1/users/bob/quota", Wire.User("bob"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, _) = await cli.RunAsync("user", "quota", "bob", "--max-cores", "8", "--max-memory", "unlimited");

        exit.Should().Be(ExitCodes.Ok);
        // cores changed, memory cleared, disk and VMs kept as they were.
        api.Requests[1].Body.Should().Be("""{"maxCores":8,"maxMemoryBytes":null,"maxDiskBytes":null,"maxVms":3}""");
    }

    [Fact]
    public async Task UserList_NotAdmin_PrintsServerRefusal()
    {
        var api = new CannedApi().On("GET", "/api/v1/users", HttpStatusCode.Forbidden,
            Wire.Problem(403, "Forbidden", "Only admins may list users.", "forbidden"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("user", "list");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("error: Only admins may list users.");
    }

    [Fact]
    public async Task Audit_Limit_StopsReadingOnceItHasEnough()
    {
        const string entry = """{"id":1,"at":"2026-11-24T10:00:00Z","actor":"admin","action":"vm.create","target":"web1","succeeded":true,"result":"ok","details":null}""";
        var api = new CannedApi().Ok("GET", "/api/v1/audit?limit=2", $$"""{"items":[{{entry}},{{entry}}],"nextCursor":"bzoy"}""");
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("audit", "--limit", "2", "--json");

        exit.Should().Be(ExitCodes.Ok);
        JsonDocument.Parse(output).RootElement.GetArrayLength().Should().Be(2);
        api.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Health_NeedsNoLogin()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/health", """{"status":"ok","version":"1.0.0","store":"sqlite","driver":"simulated","hosts":8,"hostsOn":8,"vms":0}""");
        using var cli = new CliRunner(api);

        var (exit, output, _) = await cli.RunAsync("health");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("8 (8 on)").And.Contain("simulated");
        api.Requests.Single().Authorization.Should().BeNull();
    }

    [Fact]
    public async Task Status_ShowsTheReplicasTheLeaderItsTermAndSince()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/cluster", """
            {"store":"postgres","term":3,"leaderId":"22222222-0000-0000-0000-000000000000","leaderSince":"2026-12-06T03:00:00+00:00",
             "self":"11111111-0000-0000-0000-000000000000","replicas":[
              {"id":"11111111-0000-0000-0000-000000000000","address":"cp1:5080","startedAt":"2026-12-06T02:00:00+00:00","lastSeenAt":"2026-12-06T03:05:00+00:00","alive":true,"leader":false},
              {"id":"22222222-0000-0000-0000-000000000000","address":"cp2:5080","startedAt":"2026-12-06T02:01:00+00:00","lastSeenAt":"2026-12-06T03:05:00+00:00","alive":true,"leader":true}]}
            """);
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("status");

        exit.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("postgres").And.Contain("Term").And.Contain("3");
        output.Should().Contain("22222222 (cp2:5080) since");
        output.Should().Contain("11111111 (this)").And.Contain("follower").And.Contain("leader");
        api.Requests.Single().Authorization.Should().NotBeNull();
    }
}
