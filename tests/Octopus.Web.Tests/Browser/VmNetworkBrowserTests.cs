using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 13's networking in the web UI in headless Chromium against a real server (scenario vm-network.mjs, 1280
/// and 360 px, axe-core): a VM created from the Create VM page on a network with a key of the profile, its NIC and ssh
/// line, and its security group edited with the server's refusals shown on the fields they name. The VM's NIC and key
/// and the rules left are then read back through the API, and each rule change is in the audit log.</summary>
[Collection(BrowserCollection.Name)]
public class VmNetworkBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task Networking_VmCreatedOnANetworkWithAKey_ShowsItsNicAndEditsItsSecurityRules()
    {
        server.RequireBrowser();
        const string user = "nadia", network = "weblab", domain = "weblab.octopus";
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user")))
            r.EnsureSuccessStatusCode();
        using (var r = await admin.PostAsJsonAsync("/api/v1/networks",
            new NetworkCreateRequest(network, "br-weblab", "10.78.0.0/24", "10.78.0.1", "10.78.0.10-10.78.0.99", domain)))
            r.EnsureSuccessStatusCode();
        using var nadia = await server.ClientAsync(user, WebServerFixture.PasswordOf(user));

        var run = await server.RunScenarioAsync("vm-network", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = user, ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf(user), ["VM_NAME"] = "net-web",
            ["NETWORK"] = network, ["DOMAIN"] = domain,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain($"created net-web on {network} with the key laptop").And.Contain($"\"ssh debian@net-web.{domain}\" copied").And.Contain("port refused by the server on its field")
            .And.Contain("source refused by the server on its field").And.Contain("applied live on the running VM")
            .And.Contain("a duplicate rule is refused under the form").And.Contain("axe-core: 0 serious/critical on the VM page with rules at 360 px")
            .And.Contain("TCP rule removed with the keyboard, ICMP kept");
        var vm = (await nadia.GetFromJsonAsync<VmDto>("/api/v1/vms/net-web"))!;
        vm.Nics.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Network = network, DnsName = $"net-web.{domain}" });
        vm.SshKeys.Should().ContainSingle().Which.Should().StartWith("SHA256:").And.EndWith(" nadia@laptop");
        var group = (await nadia.GetFromJsonAsync<SecurityGroupDto>($"/api/v1/vms/{vm.Id}/security-rules"))!;
        group.Rules.Select(r => (r.Protocol, r.Port, r.Source)).Should().Equal([("icmp", (string?)null, "0.0.0.0/0")]);
        var audit = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?actor={user}&limit=100"))!.Items;
        audit.Where(a => a.Succeeded).Select(a => a.Action).Should().Contain(["vm.rule.add", "vm.rule.remove"]);

        (await nadia.DeleteAsync($"/api/v1/vms/{vm.Id}")).EnsureSuccessStatusCode();
    }
}
