using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class RestartTests
{
    [Fact]
    public async Task Restart_KeepsUsersVmsHostsAndStates()
    {
        await using var home = await TestServerHome.CreateAsync();
        await using (var first = await home.StartAsync())
        {
            var http = await first.NewUserAsync("frank");
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("keep", cores: 2));
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("stopped", cores: 1));
            await http.WaitForStateAsync("keep", "Running");
            await http.WaitForStateAsync("stopped", "Running");
            await http.PostAsync(ApiRoutes.VmAction("stopped", "stop"), null);
            await http.WaitForStateAsync("stopped", "Stopped");
            var admin = await first.LoginAsync();
            await admin.PostAsJsonAsync(ApiRoutes.HostMaintenance("h-02"), new MaintenanceRequest(true));
        }

        await using var second = await home.StartAsync();
        var again = await second.LoginAsync("frank", "password-frank");
        var vms = await (await again.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        vms.Items.Select(v => (v.Name, v.State)).Should().BeEquivalentTo([("keep", "Running"), ("stopped", "Stopped")]);
        var hosts = await (await again.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Single(h => h.Name == "h-02").Maintenance.Should().BeTrue();
        // still running after a few telemetry passes: the simulated hypervisor kept it across the restart
        await Task.Delay(200);
        (await again.WaitForStateAsync("keep", "Running")).Host.Should().NotBeNull();
    }
}
