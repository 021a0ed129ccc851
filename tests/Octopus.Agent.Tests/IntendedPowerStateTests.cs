using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>The health monitor knows the intended power state: an agent host Octopus switched off goes silent and stays
/// Off; an On host that goes silent is Failed.</summary>
public sealed class IntendedPowerStateTests
{
    [Fact]
    public async Task SilentAgents_OffHostStaysOff_OnHostFails()
    {
        await using var app = await TestServerApp.StartAsync(TestServerApp.DefaultConfig($$"""
            , "Driver": "qemu", "Agents": { "JoinToken": "{{LocalCluster.JoinToken}}", "HeartbeatTimeout": "00:00:03" }
            """));
        await RegisterAsync(app, "off1");
        await RegisterAsync(app, "on1");
        await using (var scope = app.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var host = await db.Hosts.SingleAsync(h => h.Name == "off1");
            host.MovePower(HostPowerState.PoweringOff, DateTimeOffset.UtcNow);
            host.MovePower(HostPowerState.Off, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        // Neither agent heartbeats: after the 3 s timeout the monitor (once a second) decides.
        var admin = await app.LoginAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<HostDto> hosts;
        do
        {
            await Task.Delay(500);
            hosts = (await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, TestServerApp.Json))!;
        } while (hosts.Single(h => h.Name == "on1").PowerState != "Failed" && DateTime.UtcNow < deadline);

        hosts.Single(h => h.Name == "on1").PowerState.Should().Be("Failed");
        hosts.Single(h => h.Name == "off1").PowerState.Should().Be("Off", "Octopus powered it off: its silence is intended");
    }

    private static async Task RegisterAsync(TestServerApp app, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentRoutes.Register)
        {
            Content = JsonContent.Create(new AgentRegisterRequest(name, "http://127.0.0.1:1", 4, 8L << 30, 100L << 30)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalCluster.JoinToken);
        var r = await app.Anonymous().SendAsync(request);
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }
}
