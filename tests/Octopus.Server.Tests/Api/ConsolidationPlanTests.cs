using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class ConsolidationPlanTests
{
    /// <summary>Spread placement leaves three lightly loaded VMs on three hosts: a cluster worth consolidating. Time is
    /// compressed (1 s intervals, a 288 s horizon), so a migration second is weighed 1:1 against a saved second rather
    /// than the default 10:1 (which needs the real 2-hour horizon).</summary>
    private static string SpreadConfig(string mode = "manual") => TestServerApp.DefaultConfig(
        $$""", "Scheduler": { "Interval": "00:00:00.05", "Strategy": "spread", "Consolidation": "{{mode}}", "ConsolidationInterval": "00:00:01", "OctopusPolicy": { "HorizonSteps": 288, "MinimumDwellSteps": 2, "MigrationCostJoulesPerMb": 1 }, "PolicyOptions": { "octopus.migration-weight": "1" } }""")
        .Replace("\"Scheduler\": { \"Interval\": \"00:00:00.05\" },", "", StringComparison.Ordinal);

    private static async Task<HttpClient> SpreadClusterAsync(TestServerApp server)
    {
        var http = await server.LoginAsync();
        foreach (var n in new[] { "c1", "c2", "c3" })
        {
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 2, diskGiB: 10))).EnsureSuccessStatusCode();
            await http.WaitForStateAsync(n, "Running");
        }
        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Should().OnlyContain(h => h.VmCount == 1, "spread puts one VM on each host");
        return http;
    }

    private static async Task<PlanDto> WaitForPlanAsync(HttpClient http, Func<PlanDto, bool> ok)
    {
        PlanDto? last = null;
        for (var i = 0; i < 150; i++)
        {
            last = await (await http.GetAsync(ApiRoutes.Plan)).ReadAsync<PlanDto>();
            if (ok(last)) return last;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no such plan; last: {last?.Summary}");
    }

    [Fact]
    public async Task Plan_Manual_ProposesConsolidationWithReasons_AndApplyCarriesItOut()
    {
        await using var server = await TestServerApp.StartAsync(SpreadConfig());
        var http = await SpreadClusterAsync(server);

        var plan = await WaitForPlanAsync(http, p => p.Steps.Any(s => s.Kind == "migrate"));
        plan.Mode.Should().Be("manual");
        plan.Policy.Should().Be("octopus");
        plan.Steps.Should().OnlyContain(s => s.Reason.Length > 0);
        plan.Steps.Where(s => s.Kind == "migrate").Should().OnlyContain(s => s.Vm != null && s.From != null && s.To != null && s.From != s.To);

        // manual: nothing moved by itself
        var before = await (await http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        before.Items.Should().OnlyContain(v => v.State == "Running");

        var applied = await (await http.PostAsync(ApiRoutes.PlanApply, null)).ReadAsync<PlanDto>();
        applied.Steps.Should().Contain(s => s.Result == "started");

        // in the end: fewer hosts on, every VM running, no host that holds a VM is off
        for (var i = 0; i < 200; i++)
        {
            var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
            var vms = await (await http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
            if (vms.Items.All(v => v.State == "Running") && hosts.Count(h => h.VmCount > 0) < 3) break;
            await Task.Delay(50);
            if (i % 20 == 19) await http.PostAsync(ApiRoutes.PlanApply, null); // deferred power-offs go on later passes
        }
        var end = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        end.Count(h => h.VmCount > 0).Should().BeLessThan(3);
        end.Where(h => h.PowerState is "Off" or "PoweringOff").Should().OnlyContain(h => h.VmCount == 0);
        var audit = await (await http.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "plan.migrate" && a.Actor == "admin");
    }

    [Fact]
    public async Task Plan_HostPowerCycledUpToTheDailyCap_IsKeptOnFromTheJournalsCount()
    {
        // Three empty simulated hosts, cap 2 power-offs a day. h-01 is cycled twice by an admin (two PowerOffHost
        // operations in the journal): the plan switches the other empty hosts off but keeps h-01 on.
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(
            """, "Scheduler": { "Interval": "00:00:00.05", "Consolidation": "manual", "ConsolidationInterval": "00:00:01", "PolicyOptions": { "octopus.max-cycles": "2" } }""")
            .Replace("\"Scheduler\": { \"Interval\": \"00:00:00.05\" },", "", StringComparison.Ordinal));
        var http = await server.LoginAsync();
        (await WaitForPlanAsync(http, p => p.Steps.Any(s => s.Kind == "power-off" && s.Host == "h-01"))).Steps
            .Should().Contain(s => s.Kind == "power-off" && s.Host == "h-01", "an empty host with no power cycles today is switched off");

        for (var cycle = 0; cycle < 2; cycle++)
        {
            (await http.PostAsync(ApiRoutes.HostPowerOff("h-01"), null)).EnsureSuccessStatusCode();
            await WaitForHostAsync(http, "h-01", "Off");
            (await http.PostAsync(ApiRoutes.HostPowerOn("h-01"), null)).EnsureSuccessStatusCode();
            await WaitForHostAsync(http, "h-01", "On");
        }

        var offs = await (await http.GetAsync($"{ApiRoutes.Operations}?kind=power-off-host")).ReadAsync<Page<OperationDto>>();
        offs.Items.Should().HaveCount(2).And.OnlyContain(o => o.Status == "Succeeded" && o.Host == "h-01" && o.CompletedAt != null);
        var plan = await WaitForPlanAsync(http, p => p.Steps.Count(s => s.Kind == "power-off") == 2);
        plan.Steps.Where(s => s.Kind == "power-off").Select(s => s.Host).Should().BeEquivalentTo(["h-02", "h-03"]);
        plan.Summary.Should().Contain("1 host(s) kept on (h-01 idle but kept on: it was switched off 2 time(s) in the last 24 h, the daily power-cycle cap (octopus.max-cycles = 2))",
            "an operator sees why an idle host stays on");
    }

    private static async Task WaitForHostAsync(HttpClient http, string name, string state)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await (await http.GetAsync(ApiRoutes.Host(name))).ReadAsync<HostDto>()).PowerState == state) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"host {name} did not reach {state}");
    }

    [Fact]
    public async Task Plan_MovesPlacementRefuses_AreNeverProposed()
    {
        // Three hosts with 15 GiB of disk, one 10 GiB VM on each: by cores and memory there is room to pack them (the
        // first test packs the same cluster with 200 GiB disks), but placement's disk filter takes no second VM anywhere.
        // The engine asks placement's filters itself (one feasibility model), so no plan proposes a move the committer
        // would refuse, and none has any to leave out. Several plans (one a second) are read, as the engine's history grows.
        await using var server = await TestServerApp.StartAsync(SpreadConfig().Replace("\"Disk\": \"200GiB\"", "\"Disk\": \"15GiB\"", StringComparison.Ordinal));
        var http = await SpreadClusterAsync(server);

        for (var i = 0; i < 4; i++)
        {
            var plan = await (await http.GetAsync(ApiRoutes.Plan)).ReadAsync<PlanDto>();
            plan.Steps.Should().NotContain(s => s.Kind == "migrate", "no host has the disk to take a second VM");
            plan.Steps.Should().NotContain(s => s.Kind == "power-off", "no host is emptied");
            plan.Summary.Should().NotContain("left out", "the engine proposes nothing placement refuses");
            await Task.Delay(1000);
        }

        var applied = await (await http.PostAsync(ApiRoutes.PlanApply, null)).ReadAsync<PlanDto>();
        applied.Steps.Should().NotContain(s => s.Result != null && s.Result.StartsWith("skipped", StringComparison.Ordinal));
        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Should().OnlyContain(h => h.VmCount == 1);

        // The numbers behind a refusal are data too: explain shows each host's shortfall.
        var explain = await (await http.GetAsync(ApiRoutes.VmPlacement("c1"))).ReadAsync<PlacementDto>();
        var disk = explain.Hosts.SelectMany(h => h.Rejections).Where(r => r.Code == "disk").ToList();
        disk.Should().HaveCount(2, "the two other hosts lack disk");
        disk.Should().OnlyContain(r => r.Shortfall != null && r.Shortfall.Resource == "disk" && r.Shortfall.Requested == 10L << 30
                && r.Shortfall.Capacity == 15L << 30);
    }

    [Fact]
    public async Task Plan_Automatic_ConsolidatesWithoutBeingAsked()
    {
        // Spread while manual (in automatic mode the scheduler may already consolidate between two creates), then
        // switch to automatic: from then on it moves VMs without anybody asking.
        await using var server = await TestServerApp.StartAsync(SpreadConfig("manual"));
        var http = await SpreadClusterAsync(server);
        (await http.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("automatic"))).EnsureSuccessStatusCode();
        for (var i = 0; i < 300; i++)
        {
            var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
            if (hosts.Count(h => h.VmCount > 0) < 3) break;
            await Task.Delay(50);
        }
        (await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>()).Count(h => h.VmCount > 0).Should().BeLessThan(3);
        var audit = await (await http.GetAsync(ApiRoutes.Audit + "?actor=scheduler")).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "plan.migrate");
    }

    [Fact]
    public async Task Mode_IsValidatedPersistedAndOffMeansNoPlan()
    {
        await using var home = await TestServerHome.CreateAsync();
        await using (var server = await home.StartAsync())
        {
            var http = await server.LoginAsync();
            (await (await http.GetAsync(ApiRoutes.PlanMode)).ReadAsync<PlanModeRequest>()).Mode.Should().Be("manual");
            var bad = await http.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("sometimes"));
            bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await bad.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("automatic, manual or off");
            (await http.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("off"))).EnsureSuccessStatusCode();
            var plan = await (await http.GetAsync(ApiRoutes.Plan)).ReadAsync<PlanDto>();
            plan.Mode.Should().Be("off");
            plan.Steps.Should().BeEmpty();
            plan.Summary.Should().Contain("off");

            var user = await server.NewUserAsync("hank");
            (await user.GetAsync(ApiRoutes.Plan)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await user.PostAsync(ApiRoutes.PlanApply, null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await user.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("automatic"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        await using var again = await home.StartAsync();
        var admin = await again.LoginAsync();
        (await (await admin.GetAsync(ApiRoutes.PlanMode)).ReadAsync<PlanModeRequest>()).Mode.Should().Be("off");
    }
}
