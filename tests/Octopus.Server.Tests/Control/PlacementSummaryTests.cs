using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>The store keeps a summary of each placement decision; <c>vm explain</c> works the per-host explanation out
/// when asked.</summary>
public class PlacementSummaryTests
{
    [Fact]
    public async Task Placed_StoresASummaryOnly_ExplainWorksOutEveryHostWhenAsked()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        // 3 empty hosts of 8 cores / 16 GiB: pack ties on free memory, so names decide: h-01, then h-02, h-03.
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("s1", cores: 2, memoryGiB: 4))).EnsureSuccessStatusCode();
        var vm = await http.WaitForStateAsync("s1", "Running");

        var stored = await StoredJsonAsync(server, vm.Id);
        stored.Length.Should().BeLessThan(1024, "a summary, not a per-host explanation");
        stored.Should().NotContain("\"hosts\"").And.Contain("\"candidates\"");

        var placement = await (await http.GetAsync(ApiRoutes.VmPlacement("s1"))).ReadAsync<PlacementDto>();
        placement.ChosenHost.Should().Be(vm.Host).And.Be("h-01");
        placement.Candidates!.Select(c => c.Host).Should().Equal("h-01", "h-02", "h-03");
        placement.Candidates![0].Score.Should().Be(100);
        placement.RejectionCounts.Should().BeEmpty();
        placement.HostsEvaluatedAt.Should().NotBeNull();
        // Worked out now with s1's own 2 cores / 4 GiB given back to h-01: every host feasible, h-01 still first.
        placement.Hosts.Select(h => h.Host).Should().Equal("h-01", "h-02", "h-03");
        placement.Hosts.Should().OnlyContain(h => h.Feasible && h.Scores.Count > 0);
    }

    [Fact]
    public async Task Pending_StoresRejectionCountsPerReason_ExplainListsEachHostsReasons()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("big", cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
        await http.WaitForStateAsync("big", "Running");
        foreach (var n in new[] { "b2", "b3" })
        {
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
            await http.WaitForStateAsync(n, "Running");
        }
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("late", cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
        PlacementDto? placement = null;
        for (var i = 0; i < 100 && placement?.DecidedAt is null; i++)
        {
            await Task.Delay(50);
            placement = await (await http.GetAsync(ApiRoutes.VmPlacement("late"))).ReadAsync<PlacementDto>();
        }

        placement!.ChosenHost.Should().BeNull();
        placement.Candidates.Should().BeEmpty();
        placement.RejectionCounts.Should().Equal(new Dictionary<string, int> { ["memory"] = 3 });
        placement.Hosts.Should().HaveCount(3).And.OnlyContain(h => !h.Feasible && h.Rejections.Any(r => r.Code == "memory"));
    }

    [Fact]
    public async Task RecordInTheOldWholeExplanationShape_StillReadsItsDecision()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("old", cores: 1, memoryGiB: 1))).EnsureSuccessStatusCode();
        var vm = await http.WaitForStateAsync("old", "Running");
        // What 0c1667b stored: the whole PlacementDto, every host worded.
        var legacy = $$"""{"vm":"old","chosenHost":"{{vm.Host}}","strategy":"pack","decidedAt":"2026-11-01T10:00:00+00:00","summary":"placed on {{vm.Host}} (score 100; 3 hosts considered, 0 rejected)","hosts":[{"host":"h-01","feasible":true,"rejections":[],"totalScore":100,"scores":[]}]}""";
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var record = await db.Placements.SingleAsync();
            record.DecisionJson = legacy;
            record.Summary = $"placed on {vm.Host} (score 100; 3 hosts considered, 0 rejected)";
            await db.SaveChangesAsync();
        }

        var placement = await (await http.GetAsync(ApiRoutes.VmPlacement("old"))).ReadAsync<PlacementDto>();
        placement.ChosenHost.Should().Be(vm.Host);
        placement.Strategy.Should().Be("pack");
        placement.Summary.Should().Contain("3 hosts considered");
        placement.Candidates.Should().BeEmpty();
        placement.Hosts.Should().HaveCount(3);
    }

    private static async Task<string> StoredJsonAsync(TestServerApp server, string vmId)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var records = await db.Placements.AsNoTracking().ToListAsync();
        return records.Single(r => r.VmId.ToString() == vmId).DecisionJson;
    }
}
