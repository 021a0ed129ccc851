using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class HostAndServiceEndpointTests
{
    [Fact]
    public async Task Hosts_ListShowsPowerLoadAndVms()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("w1", cores: 2));
        var vm = await http.WaitForStateAsync("w1", "Running");

        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Select(h => h.Name).Should().Equal("h-01", "h-02", "h-03");
        hosts.Should().OnlyContain(h => h.PowerState == "On" && h.Cores == 8 && h.MemoryBytes == 16L << 30);
        var mine = hosts.Single(h => h.Name == vm.Host);
        mine.Vms.Should().Equal("w1");
        mine.AllocatedCores.Should().Be(2);
        mine.PowerWatts.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Maintenance_On_KeepsNewVmsOff_Off_AcceptsAgain()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        foreach (var h in new[] { "h-01", "h-02" })
            (await (await http.PostAsJsonAsync(ApiRoutes.HostMaintenance(h), new MaintenanceRequest(true))).ReadAsync<HostDto>()).Maintenance.Should().BeTrue();

        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("m1", cores: 1));
        (await http.WaitForStateAsync("m1", "Running")).Host.Should().Be("h-03");
        var explain = await (await http.GetAsync(ApiRoutes.VmPlacement("m1"))).ReadAsync<PlacementDto>();
        explain.Hosts.Single(h => h.Host == "h-01").Rejections.Should().ContainSingle(r => r.Plugin.Contains("Maintenance"));

        await http.PostAsJsonAsync(ApiRoutes.HostMaintenance("h-01"), new MaintenanceRequest(false));
        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Single(h => h.Name == "h-01").Maintenance.Should().BeFalse();
        (await http.PostAsJsonAsync(ApiRoutes.HostMaintenance("nope"), new MaintenanceRequest(true))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApi_DescribesTheApi()
    {
        await using var server = await TestServerApp.StartAsync();
        var doc = await server.Anonymous().GetStringAsync(ApiRoutes.OpenApi);
        doc.Should().Contain("\"/api/v1/vms\"").And.Contain("\"/api/v1/vms/{id}/placement\"").And.Contain("VmCreateRequest");
    }

    [Fact]
    public async Task Metrics_ExposeVmAndHostGauges()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("g1", cores: 1));
        await http.WaitForStateAsync("g1", "Running");
        var text = await server.Anonymous().GetStringAsync(ApiRoutes.Metrics);
        text.Should().Contain("octopus_vms{state=\"Running\"} 1").And.Contain("octopus_hosts{power_state=\"On\"} 3").And.Contain("octopus_cluster_power_watts");
    }

    [Fact]
    public async Task WebPage_IsServedAtRoot()
    {
        await using var server = await TestServerApp.StartAsync();
        var html = await server.Anonymous().GetStringAsync("/");
        html.Should().Contain("<title>Octopus</title>").And.Contain("/js/app.js");
    }

    [Fact]
    public async Task Images_ListsConfiguredDefaults()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        var images = await (await http.GetAsync(ApiRoutes.Images)).ReadAsync<List<ImageDto>>();
        images.Select(i => i.Name).Should().Equal("debian-12", "ubuntu-24.04", "windows-server-2022");
    }
}
