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
    public async Task User_OpensSerialConsole_TypesACommand_SeesItEchoedAndAnswered_At1280And360()
    {
        server.RequireBrowser();
        using var alice = await server.ClientAsync("alice", WebServerFixture.PasswordOf("alice"));
        var created = await alice.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest("console-web", 1, 512L << 20, 4L << 30, "debian-12"));
        created.EnsureSuccessStatusCode();
        var vm = (await created.Content.ReadFromJsonAsync<VmDto>())!;
        for (var i = 0; i < 300 && vm.State != "Running"; i++)
        {
            await Task.Delay(100);
            vm = (await alice.GetFromJsonAsync<VmDto>($"/api/v1/vms/{vm.Id}"))!;
        }
        vm.State.Should().Be("Running");

        var run = await server.RunScenarioAsync("serial-console", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"), ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("echoed and answered at 1280 px").And.Contain("echoed and answered at 360 px")
            .And.Contain("a simulated VM has no screen: said so, serial console one click away").And.Contain("no CSP violation");
        (await alice.DeleteAsync($"/api/v1/vms/{vm.Id}")).EnsureSuccessStatusCode();
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
