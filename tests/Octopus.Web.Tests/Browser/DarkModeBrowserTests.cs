namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's dark mode in headless Chromium against a real server (scenario dark-mode.mjs): with the system dark,
/// axe-core (colour contrast included) finds 0 serious/critical issues on every page (the VM and a host page with their
/// graphs drawn) at 1280 px and on four at 360 px;
/// the header toggle switches theme, is remembered across a reload, and gives way to the system setting again when the
/// user picks what the system asks for.</summary>
[Collection(BrowserCollection.Name)]
public class DarkModeBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task DarkMode_FollowsTheSystem_ToggleIsRemembered_AndEveryPagePassesAxe()
    {
        server.RequireBrowser();
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        var vm = await server.CreateRunningVmAsync(admin, "dark-web");

        var run = await server.RunScenarioAsync("dark-mode", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword, ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
            ["HOST_NAME"] = vm.Host!,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("axe-core: 0 serious/critical on the login page, dark, 1280 px")
            .And.Contain("dark with the system: axe-core clean on 13 pages").And.Contain("kept in localStorage across a reload")
            .And.Contain("the page follows the system live").And.Contain("dark at 360 px: no sideways scroll, axe-core clean");
        (await admin.DeleteAsync($"/api/v1/vms/{vm.Id}")).EnsureSuccessStatusCode();
    }
}
