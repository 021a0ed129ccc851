using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 15's profile page in headless Chromium against a real server (scenario profile.mjs, 1280 and 360 px,
/// axe-core): own password change, a personal token created, used and revoked, an SSH key added and removed. The
/// password change is then checked through the API: the old password is refused, the new one logs in.</summary>
[Collection(BrowserCollection.Name)]
public class ProfileBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task Profile_ChangesPassword_MakesAndRevokesATokenAndManagesSshKeys()
    {
        server.RequireBrowser();
        const string oldPassword = "carol-Passw0rd-web", newPassword = "carol-New-Passw0rd-1";
        using (var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword))
        {
            using var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest("carol", oldPassword, "user"));
            r.EnsureSuccessStatusCode();
        }

        var run = await server.RunScenarioAsync("profile", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "carol", ["OCTOPUS_PASSWORD"] = oldPassword, ["NEW_PASSWORD"] = newPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("focus is on its heading").And.Contain("wrong current password refused on its field with the input kept")
            .And.Contain("refused at once (401)").And.Contain("key added by keyboard, listed with SHA256:")
            .And.Contain("axe-core: 0 serious/critical on the profile page at 360 px").And.Contain("key removed with the keyboard");
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        using (var old = await anonymous.PostAsJsonAsync("/api/v1/auth/token", new TokenRequest("carol", oldPassword)))
            old.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the old password must no longer log in");
        using var carol = await server.ClientAsync("carol", newPassword);
        (await carol.GetFromJsonAsync<IReadOnlyList<TokenDto>>("/api/v1/tokens"))!.Should().NotContain(t => t.Name == "web-ci");
        (await carol.GetFromJsonAsync<IReadOnlyList<SshKeyDto>>("/api/v1/me/ssh-keys"))!.Should().BeEmpty();
    }
}
