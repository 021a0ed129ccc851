namespace Octopus.Web.Tests.Browser;

/// <summary>The administrator's policy pages in Chromium against the real policy API: an admin-scope policy created
/// from a template on "My policies", then listed, previewed, disabled and enabled on "All policies".</summary>
[Collection(BrowserCollection.Name)]
public class AdminPolicyBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task Admin_CreatesAdminPolicyFromTemplate_ThenManagesItOnAllPolicies()
    {
        server.RequireBrowser();

        var run = await server.RunScenarioAsync("admin-policies", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("listed").And.Contain("previewed").And.Contain("disabled").And.Contain("enabled");
    }
}
