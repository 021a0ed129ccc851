using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;
using Octopus.TestKit.Power;

namespace Octopus.Server.Tests.Power;

/// <summary>BMC power readings replace the power model: a host bound to a Redfish BMC (<see cref="RedfishService"/>, a
/// Redfish protocol peer written for the tests — no Redfish simulator is packaged for Debian) shows the watts its
/// BMC reports; a BMC that fails or stops answering gives the model back, and so does a binding without a BMC. An IPMI
/// BMC without DCMI (a real one: ipmi_sim) is read through its power sensor.</summary>
public sealed class BmcReadingTests : IAsyncLifetime
{
    private TestServerApp server = null!;
    private RedfishService bmc = null!;
    private HttpClient admin = null!;
    private HostDto host = null!;

    public async ValueTask InitializeAsync()
    {
        server = await TestServerApp.StartAsync();
        bmc = await RedfishService.StartAsync();
        bmc.PowerState = "On";
        admin = await server.LoginAsync();
        host = (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>())[0];
        var pin = Convert.ToHexString(SHA256.HashData(bmc.Leaf.RawData));
        (await admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host.Name), new HostPowerConfigRequest("redfish", bmc.Endpoint.ToString(), null,
            RedfishService.User, RedfishService.Password, TlsFingerprint: pin))).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await bmc.DisposeAsync();
        await server.DisposeAsync();
    }

    private async Task<int> ReadAsync(TimeSpan interval)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BmcReadingPass>().RunAsync(interval, TestContext.Current.CancellationToken);
    }

    private async Task<HostDto> ShownAsync() => await (await admin.GetAsync(ApiRoutes.Host(host.Name))).ReadAsync<HostDto>();

    [Fact]
    public async Task RedfishWatts_ReplaceTheModel_AndAreReadAtMostOncePerInterval()
    {
        host.PowerMeasured.Should().BeFalse();
        bmc.Watts = 182;
        (await ReadAsync(TimeSpan.Zero)).Should().BeGreaterThanOrEqualTo(1);
        var shown = await ShownAsync();
        shown.PowerMeasured.Should().BeTrue();
        shown.PowerWatts.Should().Be(182);

        (await ReadAsync(TimeSpan.FromHours(1))).Should().Be(0, "the host was read just now");
        bmc.Watts = 240.5;
        await ReadAsync(TimeSpan.Zero);
        (await ShownAsync()).PowerWatts.Should().Be(240.5);

        await using var scope = server.App.Services.CreateAsyncScope();
        var hosts = await scope.ServiceProvider.GetRequiredService<OctopusDbContext>().Hosts.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        var reading = PowerReading.From(hosts);
        reading.Watts.Value.Should().BeApproximately(hosts.Sum(h => h.PowerDraw.Value), 1e-9);
        hosts.Single(h => h.Name == host.Name).PowerDraw.Value.Should().Be(240.5, "the power history sums the measured draw");
    }

    [Fact]
    public async Task FailingBmc_GivesTheModelBack_WithoutFailingThePass()
    {
        bmc.Watts = 182;
        await ReadAsync(TimeSpan.Zero);
        (await ShownAsync()).PowerMeasured.Should().BeTrue();

        await bmc.DisposeAsync(); // the BMC stops answering: connection refused
        bmc = await RedfishService.StartAsync(); // another service (another port and certificate) for DisposeAsync
        (await ReadAsync(TimeSpan.Zero)).Should().BeGreaterThanOrEqualTo(1);
        var shown = await ShownAsync();
        shown.PowerMeasured.Should().BeFalse();
        shown.PowerWatts.Should().Be(host.PowerWatts, "the power model's estimate at the same load");
    }

    [Fact]
    public async Task BindingWithoutBmc_DropsTheOldMeasurement()
    {
        bmc.Watts = 182;
        await ReadAsync(TimeSpan.Zero);
        (await admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host.Name), new HostPowerConfigRequest("wol", Mac: "52:54:00:aa:bb:01")))
            .EnsureSuccessStatusCode();
        await ReadAsync(TimeSpan.Zero);
        (await ShownAsync()).PowerMeasured.Should().BeFalse();
    }

    [Fact]
    public async Task IpmiBmcWithPowerSensor_ItsWattsReplaceTheModel()
    {
        Assert.SkipWhen(IpmiSim.SkipReason is not null, IpmiSim.SkipReason ?? "");
        await using var ipmi = await IpmiSim.StartAsync(startOn: true, powerSensorWatts: 196);
        (await admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host.Name), new HostPowerConfigRequest("ipmi", "127.0.0.1", ipmi.Port,
            ipmi.User, ipmi.Password))).EnsureSuccessStatusCode();
        // ipmi_sim samples its sensor once a second (0 W until then, which is no reading): read until it has.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HostDto shown;
        do
        {
            (await ReadAsync(TimeSpan.Zero)).Should().BeGreaterThanOrEqualTo(1);
            shown = await ShownAsync();
            if (shown.PowerMeasured) break;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        } while (DateTime.UtcNow < deadline);
        shown.PowerMeasured.Should().BeTrue();
        shown.PowerWatts.Should().Be(196);
    }
}
