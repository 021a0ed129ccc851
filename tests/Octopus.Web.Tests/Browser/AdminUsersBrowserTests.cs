using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 15's admin user actions in headless Chromium against a real server (scenario admin-users.mjs, 1280
/// and 360 px, axe-core): disable/enable, reset password, a user's tokens listed and revoked, delete with the VMs
/// transferred, delete with the VMs deleted, delete of a user without VMs. Checked afterwards through the API and the
/// audit log.</summary>
[Collection(BrowserCollection.Name)]
public class AdminUsersBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task AdminUsers_DisableResetTokensAndDeleteWithTheServersChoice()
    {
        server.RequireBrowser();
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        foreach (var name in new[] { "dave", "erin", "frank" })
        {
            using var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(name, $"{name}-Passw0rd-web", "user"));
            r.EnsureSuccessStatusCode();
        }
        using var frank = await server.ClientAsync("frank", "frank-Passw0rd-web");
        using var created = await frank.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("frank-ci", ["read"], 30));
        created.EnsureSuccessStatusCode();
        var frankToken = (await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!.Token;
        using var dave = await server.ClientAsync("dave", "dave-Passw0rd-web");
        using var erin = await server.ClientAsync("erin", "erin-Passw0rd-web");
        string[] daveVms = ["dave-db", "dave-web"];
        foreach (var vm in daveVms) await server.CreateRunningVmAsync(dave, vm);
        var erinVm = await server.CreateRunningVmAsync(erin, "erin-vm");

        var run = await server.RunScenarioAsync("admin-users", new Dictionary<string, string>
        {
            ["ADMIN_PASSWORD"] = WebServerFixture.AdminPassword, ["FRANK"] = "frank", ["FRANK_PASSWORD"] = "frank-Reset-Passw0rd",
            ["FRANK_TOKEN"] = frankToken, ["DAVE"] = "dave", ["DAVE_VMS"] = string.Join(',', daveVms), ["ERIN"] = "erin",
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("refused at once (401); enable: it works again").And.Contain("too short refused in the dialog")
            .And.Contain("tokens of a user: listed without values").And.Contain("given to erin").And.Contain("waited until they were gone")
            .And.Contain("axe-core: 0 serious/critical on the delete confirmation at 360 px");
        var users = (await admin.GetFromJsonAsync<Page<UserDto>>("/api/v1/users"))!.Items.Select(u => u.Username).ToList();
        users.Should().NotContain(["dave", "erin", "frank"]);
        var vms = (await admin.GetFromJsonAsync<Page<VmDto>>("/api/v1/vms?limit=1000"))!.Items;
        vms.Should().NotContain(v => daveVms.Contains(v.Name) || v.Id == erinVm.Id, "erin's VMs (hers and those dave's deletion gave her) were deleted with her");
        var audit = await admin.GetStringAsync("/api/v1/audit?limit=200");
        audit.Should().Contain("user.disable").And.Contain("user.enable").And.Contain("user.password-reset").And.Contain("token.revoke").And.Contain("user.delete");
    }
}
