namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's quick fixes in headless Chromium against a real server: no CSP violation on "My VMs", a favicon,
/// focus on each page's heading after navigation, a focus ring of at least 3:1 contrast, and Stop that asks first.</summary>
[Collection(BrowserCollection.Name)]
public class QuickFixBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task MyVms_HasNoCspViolation_Favicon_FocusOnHeading_VisibleFocusRing_StopAsksFirst()
    {
        server.RequireBrowser();
        using var alice = await server.ClientAsync("alice", WebServerFixture.PasswordOf("alice"));
        var vm = await server.CreateRunningVmAsync(alice, "quick-web");

        var run = await server.RunScenarioAsync("quick-fixes", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"), ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("no CSP violation while \"My VMs\" renders").And.Contain("favicon served")
            .And.Contain("focus moves to each page's heading").And.Contain("at least 3:1 contrast")
            .And.Contain("Stop asks first; Cancel keeps the VM running");
        (await alice.DeleteAsync($"/api/v1/vms/{vm.Id}")).EnsureSuccessStatusCode();
    }
}
