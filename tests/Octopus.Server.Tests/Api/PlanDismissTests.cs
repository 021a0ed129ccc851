using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class PlanDismissTests
{
    /// <summary>Spread placement and a short consolidation interval: three lightly loaded hosts worth consolidating (time
    /// compressed: migration time weighed 1:1 against the 288 s horizon).</summary>
    private static string SpreadConfig() => TestServerApp.DefaultConfig(
        """, "Scheduler": { "Interval": "00:00:00.05", "Strategy": "spread", "Consolidation": "manual", "ConsolidationInterval": "00:00:01", "OctopusPolicy": { "HorizonSteps": 288, "MinimumDwellSteps": 2, "MigrationCostJoulesPerMb": 1 }, "PolicyOptions": { "octopus.migration-weight": "1" } }""")
        .Replace("\"Scheduler\": { \"Interval\": \"00:00:00.05\" },", "", StringComparison.Ordinal);

    [Fact]
    public async Task Dismiss_HidesThePlanUntilItChanges_AndIsAudited()
    {
        await using var server = await TestServerApp.StartAsync(SpreadConfig());
        var http = await server.LoginAsync();
        foreach (var n in new[] { "d1", "d2", "d3" })
        {
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 2, diskGiB: 10))).EnsureSuccessStatusCode();
            await http.WaitForStateAsync(n, "Running");
        }
        PlanDto? plan = null;
        for (var i = 0; i < 150 && (plan is null || plan.Steps.Count == 0); i++)
        {
            if (i > 0) await Task.Delay(100);
            plan = await (await http.GetAsync(ApiRoutes.Plan)).ReadAsync<PlanDto>();
        }
        plan!.Steps.Should().NotBeEmpty();

        var user = await server.NewUserAsync("ivy");
        (await user.PostAsync(ApiRoutes.PlanDismiss, null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var dismissed = await (await http.PostAsync(ApiRoutes.PlanDismiss, null)).ReadAsync<PlanDto>();
        dismissed.Steps.Should().BeEmpty();
        dismissed.Summary.Should().Contain("dismissed by admin");
        var shown = await (await http.GetAsync(ApiRoutes.Plan)).ReadAsync<PlanDto>();
        if (shown.Steps.Count > 0) shown.Summary.Should().NotContain("dismissed", "only a changed plan is shown again");
        else shown.Summary.Should().Contain("dismissed");

        var audit = await (await http.GetAsync(ApiRoutes.Audit + "?actor=admin&action=plan.")).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "plan.dismiss" && a.Succeeded);
        audit.Items.Should().OnlyContain(a => a.Action.StartsWith("plan.", StringComparison.Ordinal), "action filters by prefix");
    }

    [Fact]
    public async Task Dismiss_NothingProposed_IsAConflictSayingSo()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        (await http.PutAsJsonAsync(ApiRoutes.PlanMode, new PlanModeRequest("off"))).EnsureSuccessStatusCode();

        var r = await http.PostAsync(ApiRoutes.PlanDismiss, null);

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("plan.empty");
    }
}
