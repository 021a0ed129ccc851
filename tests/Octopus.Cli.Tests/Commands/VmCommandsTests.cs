using System.Net;
using System.Text.Json;
using Octopus.Cli.Commands;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.Commands;

public class VmCommandsTests
{
    private static readonly string[] Create =
        ["vm", "create", "--name", "web1", "--cores", "2", "--memory", "4GiB", "--disk", "20GiB", "--image", "debian-12", "--tag", "web", "--tag", "prod"];

    [Fact]
    public async Task Create_SendsGeometryInBytesAndWaitsUntilRunning()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms", HttpStatusCode.Created, Wire.Vm(state: "Pending", host: null, reason: "waiting for placement"))
            .Ok("GET", "/api/v1/vms/vm-1",
                Wire.Vm(state: "Pending", host: null, reason: "waiting for placement"),
                Wire.Vm(state: "Creating"),
                Wire.Vm(state: "Running"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, err) = await cli.RunAsync(Create);

        exit.Should().Be(ExitCodes.Ok, err);
        output.Should().Contain("VM web1 created: Running on host-01.");
        var body = JsonDocument.Parse(api.Requests[0].Body!).RootElement;
        body.GetProperty("memoryBytes").GetInt64().Should().Be(4L * 1024 * 1024 * 1024);   // 4 GiB
        body.GetProperty("diskBytes").GetInt64().Should().Be(20L * 1024 * 1024 * 1024);    // 20 GiB
        body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("web", "prod");
        api.Requests.Count(r => r.Route == "GET /api/v1/vms/vm-1").Should().Be(3);
    }

    [Fact]
    public async Task Create_NothingFits_WarnsWithTheSchedulersReasonAndExitsZero()
    {
        const string reason = "no host fits: 8 rejected (memory 8, cores 3)";
        var api = new CannedApi()
            .On("POST", "/api/v1/vms", HttpStatusCode.Created, Wire.Vm(state: "Pending", host: null, reason: "waiting for placement"))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: "Pending", host: null, reason: reason));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync(Create);

        exit.Should().Be(ExitCodes.Ok);
        err.Should().Contain("web1 is pending: " + reason).And.Contain("octopus vm explain web1");
    }

    [Fact]
    public async Task Create_OverQuota_PrintsServerMessageAndExitsOne()
    {
        var api = new CannedApi().On("POST", "/api/v1/vms", HttpStatusCode.Forbidden,
            Wire.Problem(403, "Quota exceeded", "Quota exceeded for cores: limit 4, in use 2, asked 4.", "quota.exceeded", "cores"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, err) = await cli.RunAsync(Create);

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().StartWith("error: Quota exceeded for cores: limit 4, in use 2, asked 4.");
        output.Should().BeEmpty();
    }

    [Fact]
    public async Task Create_NoWait_Json_PrintsThePendingVm()
    {
        var api = new CannedApi().On("POST", "/api/v1/vms", HttpStatusCode.Created, Wire.Vm(state: "Pending", host: null));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync([.. Create, "--no-wait", "--json"]);

        exit.Should().Be(ExitCodes.Ok);
        var vm = JsonSerializer.Deserialize<VmDto>(output, JsonSerializerOptions.Web)!;
        vm.State.Should().Be("Pending");
        api.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Start_OnATerminal_ShowsProgressAndEndsWithTheResult()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/start", HttpStatusCode.Accepted, Wire.Vm(state: "Starting"))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: "Starting"), Wire.Vm(state: "Starting"), Wire.Vm(state: "Running"));
        using var cli = new CliRunner(api).LoggedIn();
        cli.OutputIsTerminal = true;

        var (exit, output, _) = await cli.RunAsync("vm", "start", "web1");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("VM web1 started: Running on host-01.");
    }

    [Fact]
    public async Task Migrate_SendsDestinationAndWaits()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/migrate", HttpStatusCode.Accepted, Wire.Vm(state: "Migrating"))
            .Ok("GET", "/api/v1/vms/vm-1/operation", MigrationWire.Operation("Running", 0.5), MigrationWire.Operation("Succeeded", 1, total: 0.25));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "migrate", "web1", "--to", "host-02");

        exit.Should().Be(ExitCodes.Ok);
        api.Requests[0].Body.Should().Be("""{"host":"host-02"}""");
        output.Trim().Should().Be("VM web1 migrated to host-02 in 0.25 s, downtime not reported by the driver.");
    }

    [Fact]
    public async Task Stop_EndsFailed_ExitsOneWithTheReason()
    {
        var api = new CannedApi()
            .On("POST", "/api/v1/vms/web1/stop", HttpStatusCode.Accepted, Wire.Vm(state: "Stopping"))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: "Stopping"), Wire.Vm(state: "Failed", reason: "hypervisor lost the VM"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "stop", "web1");

        exit.Should().Be(ExitCodes.Rejected);
        err.Should().Contain("VM web1 failed: hypervisor lost the VM.");
    }

    [Theory]
    [InlineData("start", "Starting", "Running", "VM web1 started: Running on host-01.")]
    [InlineData("stop", "Stopping", "Stopped", "VM web1 stopped: Stopped on host-01.")]
    [InlineData("reboot", "Rebooting", "Running", "VM web1 rebooted: Running on host-01.")]
    public async Task PowerCommands_WaitForTheEndState(string verb, string transitional, string final, string line)
    {
        var api = new CannedApi()
            .On("POST", $"/api/v1/vms/web1/{verb}", HttpStatusCode.Accepted, Wire.Vm(state: transitional))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: transitional), Wire.Vm(state: final));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", verb, "web1");

        exit.Should().Be(ExitCodes.Ok);
        output.Trim().Should().Be(line);
    }

    [Fact]
    public async Task Delete_NotATerminal_DeletesWithoutAskingAndWaitsUntilGone()
    {
        var api = new CannedApi()
            .On("DELETE", "/api/v1/vms/web1", HttpStatusCode.Accepted, Wire.Vm(state: "Deleting"))
            .Ok("GET", "/api/v1/vms/vm-1", Wire.Vm(state: "Deleting"))
            .On("GET", "/api/v1/vms/vm-1", HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'vm-1' was not found.", "not-found"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "delete", "web1", "--json");

        exit.Should().Be(ExitCodes.Ok);
        JsonDocument.Parse(output).RootElement.GetProperty("deleted").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Delete_GoneBeforeTheFirstPoll_IsSuccess()
    {
        var api = new CannedApi()
            .On("DELETE", "/api/v1/vms/web1", HttpStatusCode.Accepted, Wire.Vm(state: "Deleting"))
            .On("GET", "/api/v1/vms/vm-1", HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'vm-1' was not found.", "not-found"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, err) = await cli.RunAsync("vm", "delete", "web1");

        exit.Should().Be(ExitCodes.Ok, err);
        output.Trim().Should().Be("Deleted web1.");
    }

    [Fact]
    public async Task Delete_OnATerminal_AnswerNo_DoesNotDelete()
    {
        using var cli = new CliRunner().LoggedIn();
        cli.InputIsTerminal = true;
        string? asked = null;
        cli.Confirm = q => { asked = q; return false; };

        var (exit, output, _) = await cli.RunAsync("vm", "delete", "web1");

        exit.Should().Be(ExitCodes.Rejected);
        asked.Should().Be("Delete VM web1 and its disk?");
        output.Should().Contain("Not deleted.");
        cli.Api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_OnATerminalWithYes_DoesNotAsk()
    {
        var api = new CannedApi().On("DELETE", "/api/v1/vms/web1", HttpStatusCode.Accepted, Wire.Vm(state: "Deleting"));
        using var cli = new CliRunner(api).LoggedIn();
        cli.InputIsTerminal = true;
        cli.Confirm = _ => throw new InvalidOperationException("must not ask");

        var (exit, _, _) = await cli.RunAsync("vm", "delete", "web1", "--yes", "--no-wait");

        exit.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task List_Json_IsTheArrayOfVmDtos_AndFiltersAreSent()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/vms?owner=alice&state=Running", Wire.Page(Wire.Vm("a", id: "1"), Wire.Vm("b", id: "2")));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "list", "--owner", "alice", "--state", "Running", "--json");

        exit.Should().Be(ExitCodes.Ok);
        var vms = JsonSerializer.Deserialize<List<VmDto>>(output, JsonSerializerOptions.Web)!;
        vms.Select(v => v.Name).Should().Equal("a", "b");
        output.Should().Contain("\"memoryBytes\": 4294967296");
    }

    [Fact]
    public async Task List_Table_ShowsSizesInBinaryUnits()
    {
        var api = new CannedApi().Ok("GET", "/api/v1/vms", Wire.Page(Wire.Vm()));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, output, _) = await cli.RunAsync("vm", "list");

        exit.Should().Be(ExitCodes.Ok);
        output.Should().Contain("NAME").And.Contain("web1").And.Contain("Running").And.Contain("4 GiB").And.Contain("20 GiB").And.Contain("host-01");
    }

    [Fact]
    public async Task Show_UnknownVm_IsRejectedWithServerMessage()
    {
        var api = new CannedApi().On("GET", "/api/v1/vms/nope", HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'nope' was not found.", "not-found"));
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "show", "nope");

        exit.Should().Be(ExitCodes.Rejected);
        err.Trim().Should().Be("error: VM 'nope' was not found.");
    }

    [Fact]
    public async Task AnyCommand_ServerDown_IsCannotConnectNamingTheUrl()
    {
        var api = new CannedApi().Refuse("GET", "/api/v1/vms");
        using var cli = new CliRunner(api).LoggedIn();

        var (exit, _, err) = await cli.RunAsync("vm", "list");

        exit.Should().Be(ExitCodes.CannotConnect);
        err.Should().Contain("Cannot connect to http://127.0.0.1:5080/: connection refused").And.Contain("octopus serve");
    }

    [Theory]
    [InlineData("Pending", "waiting for placement", false)] // the scheduler has not looked yet
    [InlineData("Pending", null, false)]
    [InlineData("Pending", "no host fits: 8 rejected", true)] // the scheduler's verdict
    [InlineData("Creating", null, false)]
    [InlineData("Running", null, true)]
    [InlineData("Failed", "disk image missing", true)]
    public void CreateSettled_WaitsForTheSchedulersVerdict(string state, string? reason, bool settled) =>
        VmCommands.CreateSettled(new VmDto("1", "w", "o", state, "Running", null, 1, 1, 1, "i", reason,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, [], 0)).Should().Be(settled);
}
