using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>The end user's pages in headless Chromium against a real server: each test runs one node scenario
/// (tests/Octopus.Web.Tests/browser/scenarios) and saves screenshots at 1280 and 360 px to artifacts/screenshots.</summary>
[Collection(BrowserCollection.Name)]
public class BrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task User_LogsIn_CreatesCustomVm_SeesItRunLive_StopsIt_DeletesIt()
    {
        server.RequireBrowser();

        var run = await server.RunScenarioAsync("user-vm-lifecycle", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("reached Running").And.Contain("stopped").And.Contain("deleted");
        foreach (var shot in new[] { "my-vms-1280.png", "my-vms-360.png", "vm-detail-360.png", "create-vm-1280.png" })
            File.Exists(Path.Combine(server.Screenshots, shot)).Should().BeTrue($"{shot} should be saved");
    }

    [Fact]
    public async Task User_CannotOpenAnotherUsersVmPage_ByUrl()
    {
        server.RequireBrowser();
        using var bob = await server.ClientAsync("bob", WebServerFixture.PasswordOf("bob"));
        var created = await bob.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest("bob-private", 1, 512L << 20, 4L << 30, "debian-12"));
        created.EnsureSuccessStatusCode();
        var vm = (await created.Content.ReadFromJsonAsync<VmDto>())!;

        var run = await server.RunScenarioAsync("other-users-vm", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"),
            ["OTHER_VM_ID"] = vm.Id, ["OTHER_VM_NAME"] = vm.Name,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}");
        run.Out.Should().Contain("not visible by id").And.Contain("not visible by name").And.Contain("not in the list");
    }
}
