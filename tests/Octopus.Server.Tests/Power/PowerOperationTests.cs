using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Application.Commands;
using Octopus.Application.Control;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Power;

/// <summary>Host power operations through the server's runner against a real BMC (ipmi_sim on loopback): the drain check,
/// the steps recorded on the operation, a power-on that fails on every method leaving the host Failed with the reasons,
/// and a retry that works.</summary>
public sealed class PowerOperationTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Short power-sequence timings, through the Octopus:Power section as an operator would set them.
    private static readonly string QuickConfig = TestServerApp.DefaultConfig("""
        , "Power": { "GracefulOffTimeout": "00:00:05", "ForceOffTimeout": "00:00:10", "PowerOnTimeout": "00:00:10", "Poll": "00:00:00.1" }
        """);

    private IpmiSim? sim;
    private TestServerApp server = null!;
    private HttpClient admin = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipWhen(IpmiSim.SkipReason is not null, IpmiSim.SkipReason ?? "");
        sim = await IpmiSim.StartAsync(startOn: true);
        server = await TestServerApp.StartAsync(QuickConfig);
        admin = await server.LoginAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (sim is not null) await sim.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }

    private Task<HttpResponseMessage> BindAsync(string host, string password) =>
        admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host), new HostPowerConfigRequest("ipmi", "127.0.0.1", sim!.Port, sim.User, password));

    private async Task<HostDto> WaitSettledAsync(string host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var dto = await (await admin.GetAsync(ApiRoutes.Host(host))).ReadAsync<HostDto>();
            if (dto.PowerState is not ("PoweringOn" or "PoweringOff") && dto.PowerOperation?.Status is "Succeeded" or "Failed") return dto;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"host {host} still {dto.PowerState}, operation {dto.PowerOperation?.Status}");
            await Task.Delay(100);
        }
    }

    private async Task<string> EmptyHostAsync() =>
        (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>()).First(h => h.VmCount == 0 && h.PowerState == "On").Name;

    [Fact]
    public async Task PowerOffThenFailedPowerOnThenRetry_StepsAndReasonsOnTheHost()
    {
        var host = await EmptyHostAsync();
        (await BindAsync(host, sim!.Password)).EnsureSuccessStatusCode();

        var sw = Stopwatch.StartNew();
        (await admin.PostAsync(ApiRoutes.HostPowerOff(host), null)).EnsureSuccessStatusCode();
        var off = await WaitSettledAsync(host);
        var offTime = sw.Elapsed;
        off.PowerState.Should().Be("Off");
        off.PowerOperation!.Kind.Should().Be("power-off");
        off.PowerOperation.Status.Should().Be("Succeeded");
        off.PowerOperation.Steps.Select(s => s.Text).Should().ContainInOrder(
            "drain check: no VM on the host", "host Off").And.Contain(s => s.Contains("ipmi: the BMC reports Off after"));
        (await sim.IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is off");

        // Every method fails (the BMC rejects the password): the host is Failed, not silently Off, and says why.
        (await BindAsync(host, "wrong-password")).EnsureSuccessStatusCode();
        (await admin.PostAsync(ApiRoutes.HostPowerOn(host), null)).EnsureSuccessStatusCode();
        var failed = await WaitSettledAsync(host);
        failed.PowerState.Should().Be("Failed");
        failed.PowerOperation!.Kind.Should().Be("power-on");
        failed.PowerOperation.Status.Should().Be("Failed");
        failed.PowerOperation.Error.Should().Contain($"host {host} could not be powered on").And.Contain("ipmi: ").And.Contain("rejected user")
            .And.NotContain("wrong-password");
        failed.PowerOperation.Steps[^1].Text.Should().StartWith("power-on failed; host marked Failed (power it on again to retry)");

        // With the right password, asking again retries and the host comes On.
        (await BindAsync(host, sim.Password)).EnsureSuccessStatusCode();
        sw.Restart();
        (await admin.PostAsync(ApiRoutes.HostPowerOn(host), null)).EnsureSuccessStatusCode();
        var on = await WaitSettledAsync(host);
        var onTime = sw.Elapsed;
        on.PowerState.Should().Be("On");
        on.PowerOperation!.Status.Should().Be("Succeeded");
        on.PowerOperation.Steps.Select(s => s.Text).Should().Contain(s => s.StartsWith("ipmi: power on sent", StringComparison.Ordinal))
            .And.Contain(s => s.StartsWith("ipmi: the BMC reports On after", StringComparison.Ordinal));
        (await sim.IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is on");
        output.WriteLine($"through the server's runner against ipmi_sim: power-off -> Off {offTime.TotalMilliseconds:0} ms; power-on (retry) -> On {onTime.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task PowerOffQueuedWhileAVmIsOnTheHost_DrainCheckRefusesNamingItAndHostStaysOn()
    {
        await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("stays", cores: 1, memoryGiB: 1));
        var vm = await admin.WaitForStateAsync("stays", "Running");
        (await BindAsync(vm.Host!, sim!.Password)).EnsureSuccessStatusCode();

        // The command refuses an occupied host with a 409 naming the VMs.
        var refused = await admin.PostAsync(ApiRoutes.HostPowerOff(vm.Host!), null);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("stays");

        // A power-off journaled past the command (as a stale plan could) meets the runner's drain check.
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var h = await db.Hosts.FirstAsync(x => x.Name == vm.Host);
            OperationJournal.BeginPowerChange(db, h, on: false, "test", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }
        server.App.Services.GetRequiredService<IControlSignal>().Wake();
        var host = await WaitSettledAsync(vm.Host!);
        host.PowerState.Should().Be("On");
        host.PowerOperation!.Status.Should().Be("Failed");
        host.PowerOperation.Error.Should().Contain($"drain check: host {vm.Host} still holds 1 VM(s) (stays)");
        host.PowerOperation.Steps[^1].Text.Should().StartWith("power-off failed; host back On");
        (await sim.IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is on", "the BMC was never asked");
        (await admin.WaitForStateAsync("stays", "Running")).Host.Should().Be(vm.Host);
    }
}
