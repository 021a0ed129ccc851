namespace Octopus.Web.Tests.Browser;

/// <summary>The sysadmin pages in Chromium against a real server: the power page draws the chart of cluster watts and
/// active hosts, the hosts page lists every host; screenshots at 1280 and 360 px.</summary>
[Collection(BrowserCollection.Name)]
public class AdminBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task AdminPowerPage_ShowsChartAndHosts()
    {
        server.RequireBrowser();

        var run = await server.RunScenarioAsync("admin-power", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        foreach (var shot in new[] { "admin-power-1280.png", "admin-hosts-1280.png", "admin-hosts-360.png", "admin-power-360.png" })
            File.Exists(Path.Combine(server.Screenshots, shot)).Should().BeTrue($"{shot} should be saved");
    }
}
