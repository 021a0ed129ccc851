namespace Octopus.Web.Tests.Browser;

/// <summary>The user's policies page in Chromium. Its server side (/api/v1/policies, /api/v1/policy-templates) comes
/// from the policies branch: remove the Skip once both are merged.</summary>
[Collection(BrowserCollection.Name)]
public class PolicyBrowserTests(WebServerFixture server)
{
    private const string NeedsPolicyApi = "needs the policies API (policies branch); remove this Skip after the merge";

    [Fact(Skip = NeedsPolicyApi)]
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
