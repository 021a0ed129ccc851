using System.Text.Json;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The CLI as a user runs it, against a real server process on loopback (see <see cref="ServerFixture"/>).</summary>
public class EndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private CliProcess Admin => server.AdminOrSkip();

    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task VmLifecycle_CreateListShowStopStartRebootDelete()
    {
        var admin = Admin;

        var created = Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-web1", "--cores", "2", "--memory", "4GiB",
            "--disk", "20GiB", "--image", "debian-12", "--tag", "e2e", "--json"));
        created.State.Should().Be("Running");
        created.Host.Should().NotBeNullOrEmpty();
        created.MemoryBytes.Should().Be(4L << 30);
        created.Tags.Should().Contain("e2e");

        var listed = Parse<List<VmDto>>(await admin.RunAsync("vm", "list", "--tag", "e2e", "--json"));
        listed.Select(v => v.Name).Should().Contain("e2e-web1");

        var shown = Parse<VmDto>(await admin.RunAsync("vm", "show", "e2e-web1", "--json"));
        shown.Id.Should().Be(created.Id);

        Parse<VmDto>(await admin.RunAsync("vm", "stop", "e2e-web1", "--json")).State.Should().Be("Stopped");
        Parse<VmDto>(await admin.RunAsync("vm", "start", "e2e-web1", "--json")).State.Should().Be("Running");
        Parse<VmDto>(await admin.RunAsync("vm", "reboot", "e2e-web1", "--json")).State.Should().Be("Running");

        var placement = Parse<PlacementDto>(await admin.RunAsync("vm", "explain", "e2e-web1", "--json"));
        placement.ChosenHost.Should().Be(created.Host);
        placement.Hosts.Should().NotBeEmpty();

        var destination = placement.Hosts.Select(h => h.Host).First(h => h != created.Host);
        var migrated = Parse<VmDto>(await admin.RunAsync("vm", "migrate", "e2e-web1", "--to", destination, "--json"));
        migrated.State.Should().Be("Running");
        migrated.Host.Should().Be(destination);

        var table = await admin.RunAsync("vm", "list");
        table.Exit.Should().Be(ExitCodes.Ok);
        table.Out.Should().Contain("e2e-web1").And.Contain("4 GiB");

        var deleted = await admin.RunAsync("vm", "delete", "e2e-web1", "--json");
        deleted.Exit.Should().Be(ExitCodes.Ok, deleted.Err);
        JsonDocument.Parse(deleted.Out).RootElement.GetProperty("deleted").GetBoolean().Should().BeTrue();

        var gone = await admin.RunAsync("vm", "show", "e2e-web1");
        gone.Exit.Should().Be(ExitCodes.Rejected);
        gone.Err.Should().StartWith("error: ").And.Contain("e2e-web1");
    }

    [Fact]
    public async Task Plan_ShowModeAndApply()
    {
        var admin = Admin;
        Parse<PlanModeRequest>(await admin.RunAsync("plan", "mode", "--json")).Mode.Should().Be("manual");
        var plan = Parse<PlanDto>(await admin.RunAsync("plan", "--json"));
        plan.Policy.Should().Be("octopus");
        plan.Mode.Should().Be("manual");
        var applied = Parse<PlanDto>(await admin.RunAsync("plan", "apply", "--json"));
        applied.Summary.Should().Contain("applied:");
        var text = await admin.RunAsync("plan");
        text.Exit.Should().Be(ExitCodes.Ok);
        (text.Out + text.Err).Should().Contain("octopus plan (manual mode)");
        Parse<PlanModeRequest>(await admin.RunAsync("plan", "mode", "off", "--json")).Mode.Should().Be("off");
        Parse<PlanModeRequest>(await admin.RunAsync("plan", "mode", "manual", "--json")).Mode.Should().Be("manual");
        (await admin.RunAsync("plan", "mode", "sometimes")).Exit.Should().Be(ExitCodes.Usage);
    }

    [Fact]
    public async Task Simulate_PrintsPolicyFiguresAsJson_AndRejectsBadInput()
    {
        // A small generated trace day: 12 VMs x 288 samples (the real PlanetLab days are exercised by the benchmark).
        var dir = Directory.CreateTempSubdirectory("octopus-trace-").FullName;
        try
        {
            var rng = new Random(7);
            for (var v = 0; v < 12; v++)
                await File.WriteAllLinesAsync(Path.Combine(dir, $"vm{v:00}"), Enumerable.Range(0, 288).Select(_ => rng.Next(1, 60).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var cli = new CliProcess(server.NewConfigPath());
            var run = await cli.RunAsync("simulate", "--trace", dir, "--policy", "npa,lr-mmt-1.2,octopus", "--memory", "cloudsim", "--json");
            run.Exit.Should().Be(ExitCodes.Ok, run.Err);
            var results = JsonDocument.Parse(run.Out).RootElement.EnumerateArray().ToList();
            results.Select(r => r.GetProperty("policy").GetString()).Should().Equal("npa", "lr-mmt-1.2", "octopus");
            foreach (var key in new[] { "energyKWh", "slatah", "pdm", "slav", "esv", "migrations", "hostShutdowns", "wallSeconds", "lowerBoundKWh" })
                results[0].TryGetProperty(key, out _).Should().BeTrue(key);
            results[2].GetProperty("energyKWh").GetDouble().Should().BeLessThan(results[0].GetProperty("energyKWh").GetDouble());

            var bad = await cli.RunAsync("simulate", "--trace", dir, "--policy", "nonsense");
            bad.Exit.Should().Be(2);
            bad.Err.Should().Contain("unknown policy 'nonsense'");
            (await cli.RunAsync("simulate", "--trace", Path.Combine(dir, "missing"), "--policy", "npa")).Exit.Should().Be(2);

            // Policy options from the command line: a valid one runs, one out of range names the option, range and value.
            var tuned = await cli.RunAsync("simulate", "--trace", dir, "--policy", "octopus", "--option", "octopus.fill=0.95", "--option", "octopus.dwell=0", "--json");
            tuned.Exit.Should().Be(ExitCodes.Ok, tuned.Err);
            var outOfRange = await cli.RunAsync("simulate", "--trace", dir, "--policy", "octopus", "--option", "octopus.fill=2");
            outOfRange.Exit.Should().Be(2);
            outOfRange.Err.Should().Contain("octopus.fill").And.Contain("from 0.5 to 1").And.Contain("got 2");

            // A sweep: every combination of the grid, the Pareto front as JSON (each run flagged) and an SVG plot.
            var grid = Path.Combine(dir, "..", Path.GetFileName(dir) + "-grid.yaml");
            var plot = Path.Combine(dir, "..", Path.GetFileName(dir) + "-sweep.svg");
            await File.WriteAllTextAsync(grid, "octopus:\n  fill: [0.9, 1]\n  horizon: {from: 12, to: 24, step: 12}\n");
            try
            {
                var sweep = await cli.RunAsync("simulate", "--trace", dir, "--policy", "octopus", "--memory", "cloudsim", "--sweep", grid, "--plot", plot, "--json");
                sweep.Exit.Should().Be(ExitCodes.Ok, sweep.Err);
                var runs = JsonDocument.Parse(sweep.Out).RootElement.GetProperty("runs").EnumerateArray().ToList();
                runs.Should().HaveCount(4);
                runs.Should().Contain(r => r.GetProperty("pareto").GetBoolean());
                (await File.ReadAllTextAsync(plot)).Should().StartWith("<svg");
                var table = await cli.RunAsync("simulate", "--trace", dir, "--policy", "octopus", "--sweep", grid);
                table.Exit.Should().Be(ExitCodes.Ok, table.Err);
                table.Out.Should().Contain("Pareto front over energy, SLAV and migrations");
                await File.WriteAllTextAsync(grid, "octopus:\n  horizon: {from: 24, to: 12, step: 12}\n");
                var badGrid = await cli.RunAsync("simulate", "--trace", dir, "--policy", "octopus", "--sweep", grid);
                badGrid.Exit.Should().Be(2);
                badGrid.Err.Should().Contain("option octopus.horizon: range goes from 24 down to 12");
            }
            finally
            {
                File.Delete(grid);
                File.Delete(plot);
            }
            _ = Admin;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task HostListAndMaintenance_RoundTrip()
    {
        var admin = Admin;

        var hosts = Parse<List<HostDto>>(await admin.RunAsync("host", "list", "--json"));
        hosts.Should().NotBeEmpty();
        var name = hosts[^1].Name;

        Parse<HostDto>(await admin.RunAsync("host", "maintenance", name, "on", "--json")).Maintenance.Should().BeTrue();
        Parse<HostDto>(await admin.RunAsync("host", "show", name, "--json")).Maintenance.Should().BeTrue();
        Parse<HostDto>(await admin.RunAsync("host", "maintenance", name, "off", "--json")).Maintenance.Should().BeFalse();

        var table = await admin.RunAsync("host", "list");
        table.Out.Should().Contain(name);

        // An empty host, on or off: Plan_ShowModeAndApply's `plan apply` on this shared server switches the empty
        // hosts off when it runs first. Power the host the other way and back.
        var empty = Parse<List<HostDto>>(await admin.RunAsync("host", "list", "--json")).Last(h => h.VmCount == 0 && h.PowerState is "On" or "Off");
        var (first, second) = empty.PowerState == "On" ? ("off", "Off") : ("on", "On");
        Parse<HostDto>(await admin.RunAsync("host", "power", empty.Name, first, "--json")).PowerState.Should().Be(second);
        var back = empty.PowerState == "On" ? "on" : "off";
        Parse<HostDto>(await admin.RunAsync("host", "power", empty.Name, back, "--json")).PowerState.Should().Be(empty.PowerState);
    }

    [Fact]
    public async Task Users_CreateListAndQuotaRefusal()
    {
        var admin = Admin;

        var created = await admin.RunWithInputAsync("bob-Passw0rd\n", "user", "create", "e2e-bob", "--password-stdin", "--max-cores", "2", "--json");
        Parse<UserDto>(created).Quota.MaxCores.Should().Be(2);
        Parse<List<UserDto>>(await admin.RunAsync("user", "list", "--json")).Select(u => u.Username).Should().Contain("e2e-bob");

        var bob = new CliProcess(server.NewConfigPath());
        (await bob.RunWithInputAsync("bob-Passw0rd\n", "login", "--url", server.Url, "--user", "e2e-bob", "--password-stdin")).Exit.Should().Be(ExitCodes.Ok);

        var refused = await bob.RunAsync("vm", "create", "--name", "too-big", "--cores", "4", "--memory", "1GiB", "--disk", "10GiB", "--image", "debian-12");
        refused.Exit.Should().Be(ExitCodes.Rejected);
        refused.Err.Should().StartWith("error: ").And.ContainEquivalentOf("quota");

        var notAdmin = await bob.RunAsync("user", "list");
        notAdmin.Exit.Should().Be(ExitCodes.Rejected);

        var raised = Parse<UserDto>(await admin.RunAsync("user", "quota", "e2e-bob", "--max-cores", "8", "--json"));
        raised.Quota.MaxCores.Should().Be(8);
    }

    [Fact]
    public async Task NotLoggedIn_IsExitFour()
    {
        _ = Admin;
        var anonymous = new CliProcess(server.NewConfigPath(), url: server.Url);

        var run = await anonymous.RunAsync("vm", "list");

        run.Exit.Should().Be(ExitCodes.NotLoggedIn);
        run.Err.Should().Contain("not logged in").And.Contain("octopus login");
    }

    [Fact]
    public async Task WrongPassword_IsRejected()
    {
        _ = Admin;
        var cli = new CliProcess(server.NewConfigPath());

        var run = await cli.RunWithInputAsync("wrong\n", "login", "--url", server.Url, "--user", "admin", "--password-stdin");

        run.Exit.Should().Be(ExitCodes.Rejected);
        run.Err.Should().StartWith("error: ");
    }

    [Fact]
    public async Task HealthWhoamiImagesAudit_Answer()
    {
        var admin = Admin;

        Parse<HealthDto>(await admin.RunAsync("health", "--json")).Status.Should().Be("ok");
        Parse<MeDto>(await admin.RunAsync("whoami", "--json")).Username.Should().Be("admin");
        Parse<List<ImageDto>>(await admin.RunAsync("image", "list", "--json")).Select(i => i.Name).Should().Contain("debian-12");
        Parse<List<AuditEntryDto>>(await admin.RunAsync("audit", "--limit", "5", "--json")).Count.Should().BeInRange(1, 5);
    }

    [Fact]
    public async Task NoServerAtUrl_IsExitThree()
    {
        _ = Admin;
        var cli = new CliProcess(server.NewConfigPath());

        var run = await cli.RunAsync("health", "--url", "http://127.0.0.1:9");

        run.Exit.Should().Be(ExitCodes.CannotConnect);
        run.Err.Should().Contain("http://127.0.0.1:9/").And.Contain("octopus serve");
    }
}
