using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Power;

public class PowerHistoryEndpointTests
{
    [Fact]
    public async Task PowerHistory_Admin_ShowsPointsOfTheRunningCluster()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();

        PowerHistoryDto? history = null;
        for (var i = 0; i < 100 && (history is null || history.Points.Count == 0); i++)
        {
            if (i > 0) await Task.Delay(100);
            history = await (await http.GetAsync(ApiRoutes.PowerHistory + "?window=15m")).ReadAsync<PowerHistoryDto>();
        }

        history!.Points.Should().NotBeEmpty("the control loop records a reading at every telemetry pass");
        history.Window.Should().Be("15m");
        history.StepSeconds.Should().Be(10);
        history.Hosts.Should().Be(3);
        history.ActiveHosts.Should().Be(3);
        history.CurrentWatts.Should().BePositive();
        history.CurrentAllOnWatts.Should().Be(history.CurrentWatts, "every host is on");
        history.Points.Should().OnlyContain(p => p.Watts > 0 && p.AllOnWatts >= p.Watts && p.Hosts == 3);
        history.SavedKWh.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task PowerHistory_HostPoweredOff_BaselineKeepsItAtIdle()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        (await http.PostAsync(ApiRoutes.HostPowerOff("h-03"), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);

        PowerHistoryDto? history = null;
        for (var i = 0; i < 100 && (history is null || history.ActiveHosts != 2); i++)
        {
            if (i > 0) await Task.Delay(100);
            history = await (await http.GetAsync(ApiRoutes.PowerHistory)).ReadAsync<PowerHistoryDto>();
        }

        history!.ActiveHosts.Should().Be(2);
        history.Window.Should().Be("1h");
        history.CurrentAllOnWatts.Should().BeGreaterThan(history.CurrentWatts, "the off host counts at idle in the baseline only");
    }

    [Fact]
    public async Task PowerHistory_User_IsForbidden()
    {
        await using var server = await TestServerApp.StartAsync();
        var user = await server.NewUserAsync("alice");
        var r = await user.GetAsync(ApiRoutes.PowerHistory);
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.admin-only");
    }

    [Theory]
    [InlineData("forever")]
    [InlineData("10s")]
    [InlineData("2d")]
    [InlineData("-1h")]
    public async Task PowerHistory_BadWindow_IsA400NamingTheField(string window)
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        var r = await http.GetAsync(ApiRoutes.PowerHistory + "?window=" + Uri.EscapeDataString(window));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be("window");
        problem.GetProperty("detail").GetString().Should().Contain(window);
    }
}
