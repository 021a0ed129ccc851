using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's Networks page in headless Chromium against a real server (scenario networks.mjs, 1280 and 360 px,
/// axe-core, CSP watched): an admin lists the networks, creates one through the dialog (a bad name refused on the page,
/// the server's overlap refusal on the subnet field with the input kept), opens a network in use and follows its
/// address to the VM, is refused deleting it with the server's reason, and deletes the new one; a user sees no admin
/// controls and none of the admin's VMs. Then the API confirms: the new network is gone, the one in use is still there,
/// and the audit log has the refused and the successful create and delete.</summary>
[Collection(BrowserCollection.Name)]
public class NetworksBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task NetworksPage_AdminCreatesShowsAndDeletes_WithTheServersRefusals_UserSeesOnlyTheirOwn()
    {
        server.RequireBrowser();
        const string inUse = "netpage", subnet = "10.91.0.0/24", newName = "netpage-new", vm = "netpage-vm", user = "nina";
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user")))
            r.EnsureSuccessStatusCode();
        using (var r = await admin.PostAsJsonAsync("/api/v1/networks",
            new NetworkCreateRequest(inUse, "br-netpage", subnet, "10.91.0.1", "10.91.0.10-10.91.0.99", "netpage.octopus")))
            r.EnsureSuccessStatusCode();
        var held = await server.CreateRunningVmAsync(admin, vm, [inUse]);

        var run = await server.RunScenarioAsync("networks", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword, ["IN_USE"] = inUse, ["IN_USE_SUBNET"] = subnet,
            ["NEW_NAME"] = newName, ["VM_NAME"] = vm, ["USER_NAME"] = user, ["USER_PASSWORD"] = WebServerFixture.PasswordOf(user),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("a bad name is refused before the dialog closes")
            .And.Contain("the server's refusal is shown on the subnet field with the input kept")
            .And.Contain($"{newName} created from the dialog and listed: 11 of 11 addresses free")
            .And.Contain($"held by {vm}, linked to the VM's page").And.Contain($"the VM page's NIC links back to {inUse}'s page").And.Contain($"deleting {inUse} is refused with the server's reason")
            .And.Contain($"{newName} deleted from the list").And.Contain("axe-core: 0 serious/critical on the network page at 360 px")
            .And.Contain("none of another user's VMs").And.Contain("no Content-Security-Policy violation");
        var networks = (await admin.GetFromJsonAsync<List<NetworkDto>>("/api/v1/networks"))!;
        networks.Select(n => n.Name).Should().Contain(inUse).And.NotContain(newName);
        var audit = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>("/api/v1/audit?action=network.&limit=100"))!.Items;
        audit.Where(a => a.Action == "network.create" && !a.Succeeded).Should().NotBeEmpty("the overlapping subnet was refused");
        audit.Where(a => a.Action == "network.delete" && !a.Succeeded).Should().NotBeEmpty("deleting the network in use was refused");
        audit.Where(a => a.Action == "network.delete" && a.Succeeded).Should().NotBeEmpty();

        (await admin.DeleteAsync($"/api/v1/vms/{held.Id}")).EnsureSuccessStatusCode();
    }
}
