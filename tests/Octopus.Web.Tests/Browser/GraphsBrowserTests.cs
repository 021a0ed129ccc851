using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's per-VM and per-host graphs in headless Chromium against a real server (scenario vm-graphs.mjs):
/// the VM page's four SVG graphs from the stored history at 1280 and 360 px with axe-core and no CSP violation, the range
/// picker, and a host's load and power graphs for an admin. The server writes the minute being filled every 15 s and the
/// five-minute and hour points when a minute closes, so the test first waits (through the API) for the VM's first minute
/// point; the 24 h and 7 d ranges may still say "No readings in this range yet", which the scenario accepts.</summary>
[Collection(BrowserCollection.Name)]
public class GraphsBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task VmPage_ShowsItsGraphs_AndHostPageItsLoadAndPower()
    {
        server.RequireBrowser();
        const string user = "greta";
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        var quota = new QuotaDto(MaxCores: 4, MaxMemoryBytes: 8L << 30, MaxDiskBytes: 100L << 30, MaxVms: 2);
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user", quota)))
            r.EnsureSuccessStatusCode();
        using var greta = await server.ClientAsync(user, WebServerFixture.PasswordOf(user));
        var vm = await server.CreateRunningVmAsync(greta, "graphed");

        // The first minute point is written 15 s after the VM's first reading (60 s at most); give a loaded machine more.
        VmHistoryDto history;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(2000, TestContext.Current.CancellationToken);
            history = (await greta.GetFromJsonAsync<VmHistoryDto>($"/api/v1/vms/{vm.Id}/history?range=1h", TestContext.Current.CancellationToken))!;
        }
        while (history.Points.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(150));
        history.Points.Should().NotBeEmpty("the telemetry pass writes a point each minute while the VM runs");
        history.Points[^1].MemoryBytes.Should().BeInRange(0.3 * (512L << 20), 0.9 * (512L << 20), "the simulated guest uses 30–90 % of its memory");

        var run = await server.RunScenarioAsync("vm-graphs", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = user, ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf(user), ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
            ["HOST_NAME"] = vm.Host!, ["ADMIN_PASSWORD"] = WebServerFixture.AdminPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("VM page: 4 graphs").And.Contain("axe-core: 0 serious/critical on the VM page with its graphs at 360 px")
            .And.Contain("no Content-Security-Policy violation").And.Contain($"host {vm.Host}: load and power graphs");
    }
}
