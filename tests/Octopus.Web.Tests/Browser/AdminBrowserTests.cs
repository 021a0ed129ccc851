using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>The sysadmin pages in Chromium against a real server: the power page draws the chart of cluster watts and
/// active hosts, the hosts page lists every host and says what a waiting maintenance waits for; axe-core and
/// screenshots at 1280 and 360 px.</summary>
[Collection(BrowserCollection.Name)]
public class AdminBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task AdminPowerPage_ShowsChartAndHosts()
    {
        server.RequireBrowser();

        // A maintenance that cannot proceed: a running VM on a host in maintenance while every other On host is in
        // maintenance too, so it has nowhere to go; the scenario ends maintenance on one of them and sees it drain.
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        var vm = await server.CreateRunningVmAsync(admin, "maint-vm");
        var on = (await admin.GetFromJsonAsync<List<HostDto>>("/api/v1/hosts"))!.Where(h => h.PowerState == "On").Select(h => h.Name).ToList();
        on.Should().HaveCountGreaterThan(1, "the web test cluster has more than one host on");
        (int Exit, string Out, string Err) run;
        try
        {
            // the VM's own host last: one put in maintenance first would send it to a host still free
            foreach (var host in on.OrderBy(h => h == vm.Host)) (await admin.PostAsJsonAsync($"/api/v1/hosts/{host}/maintenance", new MaintenanceRequest(true))).EnsureSuccessStatusCode();
            run = await server.RunScenarioAsync("admin-power", new Dictionary<string, string>
            {
                ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword,
                ["OCTOPUS_MAINT_HOST"] = vm.Host!, ["OCTOPUS_MAINT_VM"] = vm.Name, ["OCTOPUS_MAINT_FREE"] = on.First(h => h != vm.Host),
            });
        }
        finally
        {
            foreach (var host in on) using (await admin.PostAsJsonAsync($"/api/v1/hosts/{host}/maintenance", new MaintenanceRequest(false))) { }
            using (await admin.DeleteAsync($"/api/v1/vms/{vm.Id}")) { }
        }

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        foreach (var shot in new[] { "admin-power-1280.png", "admin-hosts-1280.png", "admin-hosts-360.png", "admin-power-360.png" })
            File.Exists(Path.Combine(server.Screenshots, shot)).Should().BeTrue($"{shot} should be saved");
    }
}
