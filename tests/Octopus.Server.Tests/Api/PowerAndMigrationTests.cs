using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class PowerAndMigrationTests
{
    private static async Task<HostDto> WaitForHostAsync(HttpClient http, string host, string powerState)
    {
        for (var i = 0; i < 500; i++)
        {
            var h = await (await http.GetAsync(ApiRoutes.Host(host))).ReadAsync<HostDto>();
            if (h.PowerState == powerState) return h;
            await Task.Delay(20);
        }
        throw new TimeoutException($"{host} never became {powerState}");
    }

    [Fact]
    public async Task Migrate_MovesARunningVm_AndRefusesAnUnfitDestination()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mig", cores: 2, memoryGiB: 4));
        var vm = await http.WaitForStateAsync("mig", "Running");
        var to = vm.Host == "h-01" ? "h-02" : "h-01";

        var r = await http.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest(to));
        r.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await r.ReadAsync<VmDto>()).State.Should().Be("Migrating");
        (await http.WaitForStateAsync("mig", "Running")).Host.Should().Be(to);

        // a destination without room is refused with the filter's reason
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("filler", cores: 1, memoryGiB: 14) with { });
        var filler = await http.WaitForStateAsync("filler", "Running");
        var refused = await http.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest(filler.Host!));
        if (filler.Host != to)
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("memory");
        }
        (await http.PostAsJsonAsync(ApiRoutes.VmMigrate("mig"), new MigrateRequest("nowhere"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var user = await server.NewUserAsync("gina");
        await user.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mine", cores: 1, memoryGiB: 1));
        await user.WaitForStateAsync("mine", "Running");
        (await user.PostAsJsonAsync(ApiRoutes.VmMigrate("mine"), new MigrateRequest("h-03"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PowerOff_RefusedWhileVmsRemain_EmptyHostGoesOff_ThenOnAgain()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("busy", cores: 1, memoryGiB: 1));
        var vm = await http.WaitForStateAsync("busy", "Running");

        var refused = await http.PostAsync(ApiRoutes.HostPowerOff(vm.Host!), null);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("still holds 1 VM(s) (busy)");

        var empty = vm.Host == "h-03" ? "h-02" : "h-03";
        (await http.PostAsync(ApiRoutes.HostPowerOff(empty), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var off = await WaitForHostAsync(http, empty, "Off");
        off.PowerWatts.Should().Be(0);
        (await (await server.Anonymous().GetAsync(ApiRoutes.Health)).ReadAsync<HealthDto>()).HostsOn.Should().Be(2);

        (await http.PostAsync(ApiRoutes.HostPowerOn(empty), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitForHostAsync(http, empty, "On");
    }

    [Fact]
    public async Task PendingVm_PowersOnAnOffHost_ThenIsPlacedThere()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        foreach (var h in new[] { "h-02", "h-03" })
        {
            await http.PostAsync(ApiRoutes.HostPowerOff(h), null);
            await WaitForHostAsync(http, h, "Off");
        }
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("first", cores: 1, memoryGiB: 12));
        (await http.WaitForStateAsync("first", "Running")).Host.Should().Be("h-01");

        // h-01 has 4 GiB left: this VM needs a host that is off now
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("second", cores: 1, memoryGiB: 12));
        var second = await http.WaitForStateAsync("second", "Running");
        second.Host.Should().BeOneOf("h-02", "h-03");
        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        hosts.Count(h => h.PowerState == "On").Should().Be(2, "exactly one host was powered on for the one VM");
        var audit = await (await http.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "host.power-off" && a.Succeeded);
    }

    [Fact]
    public async Task Maintenance_EvacuatesRunningVmsByLiveMigration()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        foreach (var n in new[] { "e1", "e2", "e3" })
        {
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 2));
            await http.WaitForStateAsync(n, "Running");
        }
        var source = (await (await http.GetAsync(ApiRoutes.Vm("e1"))).ReadAsync<VmDto>()).Host!;

        await http.PostAsJsonAsync(ApiRoutes.HostMaintenance(source), new MaintenanceRequest(true));
        for (var i = 0; i < 500; i++)
        {
            var h = await (await http.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>();
            if (h.VmCount == 0) break;
            await Task.Delay(20);
        }
        var vms = await (await http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        vms.Items.Should().OnlyContain(v => v.State == "Running" && v.Host != source);
        (await http.PostAsync(ApiRoutes.HostPowerOff(source), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Maintenance_ThatCannotProceed_SaysWhichVmWaitsAndWhy_ThenDrained()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        // three 16 GiB hosts, each with a 12 GiB VM: none of them has room for another
        foreach (var n in new[] { "big1", "big2", "big3" })
        {
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 12));
            await http.WaitForStateAsync(n, "Running");
        }
        var source = (await (await http.GetAsync(ApiRoutes.Vm("big1"))).ReadAsync<VmDto>()).Host!;
        (await (await http.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>()).MaintenanceStatus.Should().BeNull();

        await http.PostAsJsonAsync(ApiRoutes.HostMaintenance(source), new MaintenanceRequest(true));
        var status = (await (await http.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>()).MaintenanceStatus!;
        status.Summary.Should().Be("Waiting: 1 running VM(s) to move off (1 cannot move yet).");
        status.Waiting.Should().ContainSingle().Which.Name.Should().Be("big1");
        status.Waiting[0].Reason.Should().Contain("no host fits").And.Contain("memory");

        // another user sees how the maintenance goes, not whose VMs it waits for
        var gina = await server.NewUserAsync("gina");
        var seen = (await (await gina.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>()).MaintenanceStatus!;
        seen.Summary.Should().Be(status.Summary);
        seen.Waiting.Should().BeEmpty();

        // room appears: the VM moves off and the host says it is drained
        (await http.DeleteAsync(ApiRoutes.Vm("big2"))).IsSuccessStatusCode.Should().BeTrue();
        HostDto host = null!;
        for (var i = 0; i < 500; i++)
        {
            host = await (await http.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>();
            if (host.VmCount == 0) break;
            await Task.Delay(20);
        }
        host.MaintenanceStatus!.Summary.Should().Be("Drained: no VM left on this host.");
        host.MaintenanceStatus.Waiting.Should().BeEmpty();
    }

    [Fact]
    public async Task Maintenance_WithRoomOnlyOnAnOffHost_PowersItOn_SaysSo_AndDrains()
    {
        // Power transitions take 2 s, so the waiting maintenance can be seen naming the host it powers on.
        var config = TestServerApp.DefaultConfig().Replace("\"PowerTransitionDelay\": \"00:00:00\"", "\"PowerTransitionDelay\": \"00:00:02\"", StringComparison.Ordinal);
        await using var server = await TestServerApp.StartAsync(config);
        var http = await server.LoginAsync();
        foreach (var n in new[] { "big1", "big2" })
        {
            await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 12));
            await http.WaitForStateAsync(n, "Running");
        }
        var source = (await (await http.GetAsync(ApiRoutes.Vm("big1"))).ReadAsync<VmDto>()).Host!;
        var hosts = await (await http.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        var spare = hosts.Single(h => h.VmCount == 0).Name;
        (await http.PostAsync(ApiRoutes.HostPowerOff(spare), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitForHostAsync(http, spare, "Off");

        // big1 fits on no On host (each holds 12 of 16 GiB): the evacuation powers the spare host on for it
        await http.PostAsJsonAsync(ApiRoutes.HostMaintenance(source), new MaintenanceRequest(true));
        var sawWhy = false;
        HostDto host = null!;
        for (var i = 0; i < 750 && (host is null || host.VmCount > 0); i++)
        {
            host = await (await http.GetAsync(ApiRoutes.Host(source))).ReadAsync<HostDto>();
            sawWhy |= host.MaintenanceStatus?.Summary.Contains($"Powering on {spare} to make room.", StringComparison.Ordinal) == true;
            await Task.Delay(20);
        }
        sawWhy.Should().BeTrue("while the spare host powers on, the maintenance says it waits for it");
        host.MaintenanceStatus!.Summary.Should().Be("Drained: no VM left on this host.");
        (await (await http.GetAsync(ApiRoutes.Vm("big1"))).ReadAsync<VmDto>()).Host.Should().Be(spare);
        var woken = await (await http.GetAsync(ApiRoutes.Host(spare))).ReadAsync<HostDto>();
        woken.PowerState.Should().Be("On");
        woken.PowerOperation!.Kind.Should().Be("power-on");
        woken.PowerOperation.Actor.Should().Be("scheduler");
    }
}
