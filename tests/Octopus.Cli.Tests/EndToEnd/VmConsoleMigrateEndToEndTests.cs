using System.Text.Json;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary><c>vm console</c> and <c>vm migrate</c> (progress, --json figures, --no-wait) against a real server process
/// running the simulated cluster.</summary>
public class VmConsoleMigrateEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task Console_ShowsTheBootLog_OnlyToTheOwnerAndAdmins()
    {
        var admin = server.AdminOrSkip();
        Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-con1", "--cores", "1", "--memory", "1GiB",
            "--disk", "20GiB", "--image", "debian-12", "--json")).State.Should().Be("Running");

        var console = await admin.RunAsync("vm", "console", "e2e-con1");

        console.Exit.Should().Be(ExitCodes.Ok, console.Err);
        console.Out.Should().Contain("Linux version").And.EndWith("e2e-con1 login: \n");
        var tail = Parse<VmConsoleDto>(await admin.RunAsync("vm", "console", "e2e-con1", "--bytes", "17", "--json"));
        tail.Text.Should().Be("e2e-con1 login: \n");
        (await admin.RunWithInputAsync("user-pass-e2e\n", "user", "create", "e2e-con-user", "--password-stdin")).Exit.Should().Be(ExitCodes.Ok);
        var user = new CliProcess(server.NewConfigPath());
        (await user.RunWithInputAsync("user-pass-e2e\n", "login", "--url", server.Url, "--user", "e2e-con-user", "--password-stdin")).Exit.Should().Be(ExitCodes.Ok);
        var refused = await user.RunAsync("vm", "console", "admin/e2e-con1");
        refused.Exit.Should().Be(ExitCodes.Rejected);
        refused.Err.Should().StartWith("error: ").And.Contain("not found");

        (await admin.RunAsync("vm", "delete", "e2e-con1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task Migrate_WaitsForTheEnd_JsonHasTheFigures_NoWaitReturnsAtOnce()
    {
        var admin = server.AdminOrSkip();
        var vm = Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-mig1", "--cores", "1", "--memory", "1GiB",
            "--disk", "20GiB", "--image", "debian-12", "--json"));
        var to = vm.Host == "sim-01" ? "sim-02" : "sim-01";

        var text = await admin.RunAsync("vm", "migrate", "e2e-mig1", "--to", to);

        text.Exit.Should().Be(ExitCodes.Ok, text.Err);
        text.Out.Should().StartWith($"VM e2e-mig1 migrated to {to} in ").And.Contain("downtime not reported by the driver");
        var back = vm.Host!;
        var json = await admin.RunAsync("vm", "migrate", "e2e-mig1", "--to", back, "--json");
        Parse<VmDto>(json).Host.Should().Be(back);
        var op = JsonSerializer.Deserialize<VmOperationDto>(JsonDocument.Parse(json.Out).RootElement.GetProperty("migration"), JsonOptions)!;
        op.Status.Should().Be("Succeeded");
        op.Kind.Should().Be("MigrateVm");
        op.TargetHost.Should().Be(back);
        op.Progress.Should().Be(1);
        op.TotalSeconds.Should().BePositive();
        op.DowntimeMilliseconds.Should().BeNull();
        Parse<VmDto>(await admin.RunAsync("vm", "migrate", "e2e-mig1", "--to", to, "--no-wait", "--json")).State.Should().Be("Migrating");
        var missing = await admin.RunAsync("vm", "migrate", "e2e-mig1", "--to", "no-such-host");
        missing.Exit.Should().NotBe(ExitCodes.Ok);

        (await admin.RunAsync("vm", "delete", "e2e-mig1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
    }
}
