using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's journeys on the VM page in headless Chromium against a real server: no dead ends in lease,
/// snapshot, fork, revert and the back link (scenario journeys.mjs, 1280 and 360 px, axe-core).</summary>
[Collection(BrowserCollection.Name)]
public class JourneyBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task VmPage_OffersOnlyWhatCanWork_AndDialogsKeepInputUntilTheServerAgrees()
    {
        server.RequireBrowser();
        using var alice = await server.ClientAsync("alice", WebServerFixture.PasswordOf("alice"));
        using var bob = await server.ClientAsync("bob", WebServerFixture.PasswordOf("bob"));
        var vm = await server.CreateRunningVmAsync(alice, "journey-web");
        using var leasedResponse = await alice.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest("leased-web", 1, 512L << 20, 4L << 30, "debian-12",
            LeaseExpiresAt: DateTimeOffset.UtcNow.AddDays(3)));
        leasedResponse.EnsureSuccessStatusCode();
        var leased = (await leasedResponse.Content.ReadFromJsonAsync<VmDto>())!;
        using var otherResponse = await bob.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest("bob-journey", 1, 512L << 20, 4L << 30, "debian-12"));
        otherResponse.EnsureSuccessStatusCode();
        var other = (await otherResponse.Content.ReadFromJsonAsync<VmDto>())!;

        var run = await server.RunScenarioAsync("journeys", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"), ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
            ["LEASED_ID"] = leased.Id, ["OTHER_ID"] = other.Id, ["OTHER_OWNER"] = "bob", ["ADMIN_PASSWORD"] = WebServerFixture.AdminPassword,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("no \"Why —\", no \"Extend lease\" without a lease").And.Contain("a server refusal keeps the dialog and the input")
            .And.Contain("revert: stop, revert and start on a running VM").And.Contain("revert of a running VM at 360 px").And.Contain("forked with the sizes chosen").And.Contain("\"Extend lease\" offered on a VM with a lease")
            .And.Contain("\"← My VMs\" only on the caller's own VM");
        // The two reverts of the running VM were each one "stop, revert, start" operation of the server.
        var reverts = (await alice.GetFromJsonAsync<Page<OperationDto>>($"/api/v1/operations?vm={vm.Id}&kind=revert-vm"))!.Items;
        reverts.Should().HaveCount(2).And.OnlyContain(o => o.Status == "Succeeded"
            && o.Steps.Select(s => s.Text.Split(':', 2)[0]).SequenceEqual(new[] { "stop", "revert", "start" }));
        foreach (var (client, id) in new[] { (alice, vm.Id), (alice, leased.Id), (bob, other.Id) })
            (await client.DeleteAsync($"/api/v1/vms/{id}")).EnsureSuccessStatusCode();
        var fork = (await alice.GetFromJsonAsync<Page<VmDto>>("/api/v1/vms?owner=alice"))!.Items.FirstOrDefault(v => v.Name == "journey-fork");
        if (fork is not null) (await alice.DeleteAsync($"/api/v1/vms/{fork.Id}")).EnsureSuccessStatusCode();
    }
}
