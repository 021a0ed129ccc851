using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.Contracts.Agents;
using Octopus.Server.Agents;
using Octopus.Drivers.Agent;
using Octopus.Application.Agents;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>Both directions of the agent protocol refuse unknown, forged and stale callers with 401/403 problems.</summary>
public sealed class AuthenticationTests
{
    private static string QemuConfig() => TestServerApp.DefaultConfig($$"""
        , "Driver": "qemu", "Agents": { "JoinToken": "{{LocalCluster.JoinToken}}" }
        """);

    private static async Task<(AgentRegisterResponse Agent, HttpClient Http)> RegisterAsync(TestServerApp app, string name = "n1")
    {
        var http = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentRoutes.Register)
        {
            Content = JsonContent.Create(new AgentRegisterRequest(name, "http://127.0.0.1:1", 4, 8L << 30, 100L << 30)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalCluster.JoinToken);
        var r = await http.SendAsync(request);
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return ((await r.Content.ReadFromJsonAsync<AgentRegisterResponse>(TestServerApp.Json))!, http);
    }

    private static HttpRequestMessage Heartbeat(Guid agent, string secret, long sequence, DateTimeOffset? at = null) =>
        SignedRequests.Create(HttpMethod.Post, new Uri("http://localhost"), AgentRoutes.HeartbeatOf(agent),
            new AgentStatus(sequence, 0, 0.1, []), agent, secret, AgentSignature.FromAgent, at ?? DateTimeOffset.UtcNow);

    [Fact]
    public async Task Register_WithWrongJoinToken_Is401Problem()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentRoutes.Register)
        {
            Content = JsonContent.Create(new AgentRegisterRequest("n1", "http://127.0.0.1:1", 4, 8L << 30, 100L << 30)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-at-all");
        var r = await app.Anonymous().SendAsync(request);
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync()).Should().Contain("join token");
    }

    [Fact]
    public async Task Register_AddsTheHost_AndASignedHeartbeatIsAccepted()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var (agent, http) = await RegisterAsync(app);
        (await http.SendAsync(Heartbeat(agent.AgentId, agent.Secret, 1))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var admin = await app.LoginAsync();
        var hosts = await admin.GetFromJsonAsync<List<HostDto>>(ApiRoutes.Hosts, TestServerApp.Json);
        hosts.Should().ContainSingle(h => h.Name == "n1" && h.Cores == 4 && h.Id == agent.AgentId.ToString());
    }

    [Fact]
    public async Task Heartbeat_FromUnknownAgent_Is401()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var r = await app.Anonymous().SendAsync(Heartbeat(Guid.NewGuid(), AgentSignature.NewSecret(), 1));
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync()).Should().Contain("not registered");
    }

    [Fact]
    public async Task Heartbeat_ForgedWithAnotherSecret_Is401()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var (agent, http) = await RegisterAsync(app);
        var r = await http.SendAsync(Heartbeat(agent.AgentId, AgentSignature.NewSecret(), 1));
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync()).Should().Contain("signature does not match");
    }

    [Fact]
    public async Task Heartbeat_TamperedBody_Is401()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var (agent, http) = await RegisterAsync(app);
        var request = Heartbeat(agent.AgentId, agent.Secret, 1);
        request.Content = JsonContent.Create(new AgentStatus(1, 0, 0.99, []), options: SignedRequests.Json);
        (await http.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Heartbeat_ReplayedOrOld_Is403()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var (agent, http) = await RegisterAsync(app);
        (await http.SendAsync(Heartbeat(agent.AgentId, agent.Secret, 5))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var replay = await http.SendAsync(Heartbeat(agent.AgentId, agent.Secret, 5));
        replay.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await replay.Content.ReadAsStringAsync()).Should().Contain("stale heartbeat");
        var old = await http.SendAsync(Heartbeat(agent.AgentId, agent.Secret, 6, DateTimeOffset.UtcNow.AddMinutes(-5)));
        old.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reregistration_ReplacesTheSecret_OldSecretIsRefused()
    {
        await using var app = await TestServerApp.StartAsync(QemuConfig());
        var (first, http) = await RegisterAsync(app);
        var (second, _) = await RegisterAsync(app);
        second.AgentId.Should().Be(first.AgentId, "the same host name keeps its host id");
        (await http.SendAsync(Heartbeat(first.AgentId, first.Secret, 1))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await http.SendAsync(Heartbeat(second.AgentId, second.Secret, 1))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Registry_SurvivesAServerRestart()
    {
        var dir = Directory.CreateTempSubdirectory("octopus-test-").FullName;
        try
        {
            AgentRegisterResponse agent;
            await using (var app = await TestServerApp.StartAsync(QemuConfig(), dir))
                (agent, _) = await RegisterAsync(app);
            await using var again = await TestServerApp.StartAsync(QemuConfig(), dir);
            (await again.Anonymous().SendAsync(Heartbeat(agent.AgentId, agent.Secret, 1))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Agent_RefusesUnsignedForgedAndWrongTicketCalls()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        await using var cluster = await LocalCluster.StartAsync(agents: 1);
        using var admin = await cluster.AdminAsync();
        await EndToEndTests.WaitForHostsAsync(admin, 1);
        var record = cluster.Server.Services.GetRequiredService<AgentRegistry>().All.Single();
        using var http = new HttpClient();
        var vm = Guid.NewGuid();

        var unsigned = await http.PostAsync(new Uri(record.BaseUri, AgentRoutes.VmOf(vm) + "/stop"), null);
        unsigned.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var forged = SignedRequests.Create(HttpMethod.Post, record.BaseUri, AgentRoutes.VmOf(vm) + "/stop", new { }, record.Id,
            AgentSignature.NewSecret(), AgentSignature.FromServer, DateTimeOffset.UtcNow);
        (await http.SendAsync(forged)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // Signed with the right secret but as the agent (direction reflected): refused.
        using var reflected = SignedRequests.Create(HttpMethod.Post, record.BaseUri, AgentRoutes.VmOf(vm) + "/stop", new { }, record.Id,
            record.Secret, AgentSignature.FromAgent, DateTimeOffset.UtcNow);
        (await http.SendAsync(reflected)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var otherVmTicket = new HttpRequestMessage(HttpMethod.Post, new Uri(record.BaseUri, AgentRoutes.VmOf(vm) + "/incoming/abort"));
        otherVmTicket.Headers.Add(AgentSignature.TicketHeader, AgentSignature.Ticket(record.Secret, Guid.NewGuid(), DateTimeOffset.UtcNow.AddMinutes(1)));
        (await http.SendAsync(otherVmTicket)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var goodTicket = new HttpRequestMessage(HttpMethod.Post, new Uri(record.BaseUri, AgentRoutes.VmOf(vm) + "/incoming/abort"));
        goodTicket.Headers.Add(AgentSignature.TicketHeader, AgentSignature.Ticket(record.Secret, vm, DateTimeOffset.UtcNow.AddMinutes(1)));
        (await http.SendAsync(goodTicket)).StatusCode.Should().Be(HttpStatusCode.OK, "aborting an unknown incoming VM is idempotent");

        using var signed = SignedRequests.Create<object>(HttpMethod.Get, record.BaseUri, AgentRoutes.Status, null, record.Id, record.Secret,
            AgentSignature.FromServer, DateTimeOffset.UtcNow);
        (await http.SendAsync(signed)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
