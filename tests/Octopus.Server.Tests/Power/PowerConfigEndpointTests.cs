using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Power;

/// <summary><c>PUT /api/v1/hosts/{id}/power-config</c> over HTTP: admin only, audited, validated, the password sealed
/// at rest and never returned.</summary>
public sealed class PowerConfigEndpointTests : IAsyncLifetime
{
    private const string Secret = "bmc-Pa55word!";
    private TestServerApp server = null!;
    private HttpClient admin = null!;
    private string host = "";

    public async ValueTask InitializeAsync()
    {
        server = await TestServerApp.StartAsync();
        admin = await server.LoginAsync();
        host = (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>())[0].Name;
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private Task<HttpResponseMessage> PutAsync(HttpClient http, HostPowerConfigRequest body, string? target = null) =>
        http.PutAsJsonAsync(ApiRoutes.HostPowerConfig(target ?? host), body);

    private async Task<Persistence.Records.PowerBindingRecord?> StoredAsync()
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var h = await db.Hosts.AsNoTracking().FirstAsync(x => x.Name == host);
        return await db.PowerBindings.AsNoTracking().FirstOrDefaultAsync(p => p.HostId == h.Id);
    }

    [Fact]
    public async Task Put_Ipmi_SealedAtRestAndShownWithoutPassword()
    {
        var r = await PutAsync(admin, new HostPowerConfigRequest("ipmi", "10.0.0.5", 623, "admin", Secret, "52:54:00:AA:BB:CC", ["wol"]));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await r.Content.ReadAsStringAsync();
        text.Should().NotContain(Secret);
        var dto = await r.ReadAsync<HostDto>();
        dto.PowerConfig.Should().BeEquivalentTo(new HostPowerConfigDto("ipmi", "10.0.0.5", 623, "admin", true, "52:54:00:aa:bb:cc", ["wol"]));

        var listed = await admin.GetStringAsync(ApiRoutes.Hosts);
        listed.Should().Contain("\"method\":\"ipmi\"").And.Contain("10.0.0.5").And.NotContain(Secret);

        var row = await StoredAsync();
        row!.SealedPassword.Should().NotBeNull().And.NotContain(Secret);
        server.App.Services.GetRequiredService<IPowerSecrets>().Open(row.SealedPassword!).Should().Be(Secret);
        Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "keys"), "key-*.xml").Should().NotBeEmpty("the key ring lives in the data folder");

        var audit = await admin.GetStringAsync(ApiRoutes.Base + "/audit?action=host.power-config");
        audit.Should().Contain("ipmi at 10.0.0.5:623, then wol").And.NotContain(Secret);
    }

    [Fact]
    public async Task Put_WithoutPassword_KeepsTheStoredOne()
    {
        (await PutAsync(admin, new HostPowerConfigRequest("redfish", "bmc1.example", null, "root", Secret))).EnsureSuccessStatusCode();
        var sealedBefore = (await StoredAsync())!.SealedPassword;
        var r = await PutAsync(admin, new HostPowerConfigRequest("redfish", "https://bmc2.example:8443", null, "root"));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await r.ReadAsync<HostDto>()).PowerConfig!.Address.Should().Be("https://bmc2.example:8443");
        (await StoredAsync())!.SealedPassword.Should().Be(sealedBefore);
    }

    [Fact]
    public async Task Put_Wol_DefaultsToTheBroadcastAddress()
    {
        var r = await PutAsync(admin, new HostPowerConfigRequest("wol", Mac: "52-54-00-aa-bb-cc"));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await r.ReadAsync<HostDto>()).PowerConfig.Should().BeEquivalentTo(
            new HostPowerConfigDto("wol", "255.255.255.255", null, null, false, "52:54:00:aa:bb:cc", []));
    }

    [Theory]
    [InlineData(null, "10.0.0.5", 623, "admin", Secret, null, null, "method", "method is missing")]
    [InlineData("bmc", "10.0.0.5", 623, "admin", Secret, null, null, "method", "'bmc' is not a power method")]
    [InlineData("ipmi", null, 623, "admin", Secret, null, null, "address", "needs the BMC's address")]
    [InlineData("ipmi", "10.0.0.5", 623, null, Secret, null, null, "user", "needs the BMC account's user")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", null, null, null, "password", "needs the BMC password")]
    [InlineData("ipmi", "10.0.0.5", 70000, "admin", Secret, null, null, "port", "out of range")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", "012345678901234567890", null, null, "password", "longer than 20 bytes")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", Secret, "not-a-mac", null, "mac", "is not a MAC address")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", Secret, null, "wol", "mac", "needs the host's MAC")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", Secret, null, "ipmi", "fallback", "repeats the method")]
    [InlineData("ipmi", "10.0.0.5", 623, "admin", Secret, null, "teleport", "fallback", "'teleport' is not a power method")]
    [InlineData("redfish", "http://10.0.0.5", null, "root", Secret, null, null, "address", "is not https://")]
    [InlineData("agent", null, null, null, Secret, null, null, "password", "uses no BMC password")]
    [InlineData("agent", "10.0.0.5", null, null, null, null, null, "address", "needs no address")]
    [InlineData("wol", "10.0.0.300", null, null, null, "52:54:00:aa:bb:cc", null, "address", "not an IPv4 broadcast address")]
    public async Task Put_BadInput_Is400NamingTheFieldAndStoresNothing(string? method, string? address, int? port, string? user,
        string? password, string? mac, string? fallback, string field, string says)
    {
        var r = await PutAsync(admin, new HostPowerConfigRequest(method, address, port, user, password, mac, fallback is null ? null : [fallback]));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be(field);
        problem.GetProperty("detail").GetString().Should().Contain(says);
        if (password is not null) (await r.Content.ReadAsStringAsync()).Should().NotContain(password);
        (await StoredAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Put_EmptyBody_Is400()
    {
        using var content = new StringContent("", System.Text.Encoding.UTF8, "application/json");
        var r = await admin.PutAsync(ApiRoutes.HostPowerConfig(host), content);
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Put_NotAnAdmin_Is403AndHostJsonHidesTheConfig()
    {
        (await PutAsync(admin, new HostPowerConfigRequest("ipmi", "10.0.0.5", null, "admin", Secret))).EnsureSuccessStatusCode();
        var bob = await server.NewUserAsync("bob");
        var r = await PutAsync(bob, new HostPowerConfigRequest("agent"));
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await StoredAsync())!.Method.Should().Be(Domain.Hosts.PowerMethod.Ipmi);
        var seen = await bob.GetStringAsync(ApiRoutes.Host(host));
        seen.Should().NotContain("10.0.0.5").And.NotContain(Secret);
    }

    [Fact]
    public async Task Put_UnknownHost_Is404()
    {
        var r = await PutAsync(admin, new HostPowerConfigRequest("agent"), "no-such-host");
        r.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Restart_SameDataFolder_SealedPasswordStillOpens()
    {
        await using var home = await TestServerHome.CreateAsync();
        await using (var first = await home.StartAsync())
        {
            var http = await first.LoginAsync();
            (await http.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host), new HostPowerConfigRequest("ipmi", "10.0.0.5", null, "admin", Secret)))
                .EnsureSuccessStatusCode();
        }
        await using var second = await home.StartAsync();
        await using var scope = second.App.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<OctopusDbContext>().PowerBindings.AsNoTracking().SingleAsync();
        second.App.Services.GetRequiredService<IPowerSecrets>().Open(row.SealedPassword!).Should().Be(Secret);
    }
}
