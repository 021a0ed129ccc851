using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary><c>GET /vms/{id}/console</c> over the simulated cluster's console log, and <c>GET /vms/{id}/operation</c>
/// with a migration's progress and figures.</summary>
public class VmRuntimeEndpointTests
{
    private static async Task<VmOperationDto> WaitForOperationAsync(HttpClient http, string vm, Func<VmOperationDto, bool> until)
    {
        for (var i = 0; i < 1000; i++)
        {
            var op = await (await http.GetAsync(ApiRoutes.VmOperation(vm))).ReadAsync<VmOperationDto>();
            if (until(op)) return op;
            await Task.Delay(10);
        }
        throw new TimeoutException($"the operation of {vm} never got there");
    }

    [Fact]
    public async Task Console_OwnerSeesBootAndPowerOff_AdminToo_OthersGet404()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1, memoryGiB: 1));
        await alice.WaitForStateAsync("web1", "Running");

        var console = await (await alice.GetAsync(ApiRoutes.VmConsole("web1"))).ReadAsync<VmConsoleDto>();

        console.Vm.Should().Be("web1");
        console.Text.Should().Contain("Linux version").And.EndWith("web1 login: \n");
        console.Bytes.Should().Be(System.Text.Encoding.UTF8.GetByteCount(console.Text));
        var tail = await (await alice.GetAsync(ApiRoutes.VmConsole("web1", 13))).ReadAsync<VmConsoleDto>();
        tail.Text.Should().Be("web1 login: \n");
        (await (await server.LoginAsync()).GetAsync(ApiRoutes.VmConsole("alice/web1"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var bob = await server.NewUserAsync("bob");
        (await bob.GetAsync(ApiRoutes.VmConsole("alice/web1"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await alice.PostAsync(ApiRoutes.VmAction("web1", "stop"), null);
        await alice.WaitForStateAsync("web1", "Stopped");
        (await (await alice.GetAsync(ApiRoutes.VmConsole("web1"))).ReadAsync<VmConsoleDto>()).Text.Should().EndWith("reboot: Power down\n");
        await alice.PostAsync(ApiRoutes.VmAction("web1", "start"), null);
        await alice.WaitForStateAsync("web1", "Running");
        var again = (await (await alice.GetAsync(ApiRoutes.VmConsole("web1"))).ReadAsync<VmConsoleDto>()).Text;
        System.Text.RegularExpressions.Regex.Count(again, "Linux version").Should().Be(2, "each boot is in the log, the first one kept");
    }

    [Fact]
    public async Task Console_BadBytes_400WithTheField()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1, memoryGiB: 1));
        await http.WaitForStateAsync("web1", "Running");

        var r = await http.GetAsync(ApiRoutes.VmConsole("web1", 0));

        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be("bytes");
        (await http.GetAsync(ApiRoutes.VmConsole("web1") + "?bytes=lots")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Console_VmNeverRan_409SaysSo()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        // 3 hosts x 16 GiB: three 12 GiB VMs fill one host each, a fourth cannot be placed, so it never runs.
        foreach (var n in new[] { "big1", "big2", "big3" })
        {
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
            await http.WaitForStateAsync(n, "Running");
        }
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("late", cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();

        var r = await http.GetAsync(ApiRoutes.VmConsole("late"));

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("console.never-ran");
        problem.GetProperty("detail").GetString().Should().Contain("has never run");
    }

    [Fact]
    public async Task Console_KeptAcrossAServerRestart()
    {
        await using var home = await TestServerHome.CreateAsync();
        await using (var first = await home.StartAsync())
        {
            var http = await first.LoginAsync();
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1, memoryGiB: 1));
            await http.WaitForStateAsync("web1", "Running");
        }
        await using var second = await home.StartAsync();
        var again = await second.LoginAsync();

        (await (await again.GetAsync(ApiRoutes.VmConsole("web1"))).ReadAsync<VmConsoleDto>()).Text.Should().Contain("web1 login:");
    }

    [Fact]
    public async Task Operation_Migration_ReportsProgressInStepsThenTotalTime()
    {
        var config = TestServerApp.DefaultConfig().Replace("\"OperationDelay\": \"00:00:00\"", "\"OperationDelay\": \"00:00:01\"", StringComparison.Ordinal);
        await using var server = await TestServerApp.StartAsync(config);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mig", cores: 1, memoryGiB: 1));
        var vm = await http.WaitForStateAsync("mig", "Running");
        var to = vm.Host == "h-01" ? "h-02" : "h-01";

        (await http.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest(to))).StatusCode.Should().Be(HttpStatusCode.Accepted);

        var midway = await WaitForOperationAsync(http, "mig", o => o.Status == "Succeeded" || o.Progress is > 0 and < 1);
        midway.Kind.Should().Be("MigrateVm");
        midway.Progress.Should().BeInRange(0.05, 0.95, "the simulated migration reports its steps one by one");
        var done = await WaitForOperationAsync(http, "mig", o => o.Status is "Succeeded" or "Failed");
        done.Status.Should().Be("Succeeded");
        done.Progress.Should().Be(1);
        done.TargetHost.Should().Be(to);
        done.TotalSeconds.Should().BePositive();
        done.DowntimeMilliseconds.Should().BeNull("the simulated driver does not report a downtime");
        (await http.WaitForStateAsync("mig", "Running")).Host.Should().Be(to);
    }

    [Fact]
    public async Task Operation_MigrationFails_FailedWithTheReasonAndTheVmStaysOnItsSource()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mig", cores: 1, memoryGiB: 1));
        var vm = await http.WaitForStateAsync("mig", "Running");
        var to = vm.Host == "h-01" ? "h-02" : "h-01";
        server.App.Services.GetRequiredService<SimulatedCluster>().InjectFailure(new VmId(Guid.Parse(vm.Id)), "destination stopped answering");

        await http.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest(to));

        var done = await WaitForOperationAsync(http, "mig", o => o.Status is "Succeeded" or "Failed");
        done.Status.Should().Be("Failed");
        done.Error.Should().Contain("destination stopped answering");
        (await http.WaitForStateAsync("mig", "Running")).Host.Should().Be(vm.Host);
        var bob = await server.NewUserAsync("bob");
        (await bob.GetAsync(ApiRoutes.VmOperation(vm.Id))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
