namespace Octopus.Web.Tests.Browser;

/// <summary>The user's policies page in Chromium against the real policy API (/api/v1/policies, /api/v1/policy-templates).</summary>
[Collection(BrowserCollection.Name)]
public class PolicyBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task User_CreatesPolicyFromTemplate_PreviewsIt_DisablesAndEnablesIt()
    {
        server.RequireBrowser();

        var run = await server.RunScenarioAsync("user-policies", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("previewed").And.Contain("disabled").And.Contain("enabled");
    }
}
