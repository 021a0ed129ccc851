using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>The task centre (#/tasks, issue 18) in headless Chromium against a real server: toasts link to it, it lists the
/// caller's operations from the journal and follows open ones live, survives a reload, at 1280 and 360 px with axe-core.</summary>
[Collection(BrowserCollection.Name)]
public class TaskCentreBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task User_FollowsAToastToTheTaskCentre_SeesOperationsFinishLive_ReloadsAndBookmarksIt()
    {
        server.RequireBrowser();
        using var alice = await server.ClientAsync("alice", WebServerFixture.PasswordOf("alice"));
        var vm = await server.CreateRunningVmAsync(alice, "tasks-web");

        var run = await server.RunScenarioAsync("task-centre", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "alice", ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf("alice"), ["VM_ID"] = vm.Id, ["VM_NAME"] = vm.Name,
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("the stop is listed and succeeded").And.Contain("finished live (no reload)")
            .And.Contain("survives a reload").And.Contain("axe-core: 0 serious/critical on the task centre at 360 px")
            .And.Contain("bookmarked task-centre URL opens");
        (await alice.DeleteAsync($"/api/v1/vms/{vm.Id}")).EnsureSuccessStatusCode();
    }
}
