using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;
using Octopus.TestKit.Power;

namespace Octopus.Server.Tests.Power;

/// <summary>How a Redfish BMC's certificate is trusted, set through <c>PUT /api/v1/hosts/{id}/power-config</c>
/// (tlsFingerprint pins a self-signed certificate, caCertificate names the CA) and used by the server's power driver
/// against <see cref="RedfishService"/> — a Redfish protocol peer written for the tests (no Redfish simulator is
/// packaged for Debian) serving HTTPS with a certificate from a CA the test makes, which the system does not trust.</summary>
public sealed class RedfishTlsConfigTests : IAsyncLifetime
{
    private TestServerApp server = null!;
    private RedfishService bmc = null!;
    private HttpClient admin = null!;
    private string host = "";

    public async ValueTask InitializeAsync()
    {
        server = await TestServerApp.StartAsync();
        bmc = await RedfishService.StartAsync();
        admin = await server.LoginAsync();
        host = (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>())[0].Name;
    }

    public async ValueTask DisposeAsync()
    {
        await bmc.DisposeAsync();
        await server.DisposeAsync();
    }

    private string Pin => Convert.ToHexString(SHA256.HashData(bmc.Leaf.RawData));
    private string CaPem => bmc.Ca.ExportCertificatePem();

    private Task<HttpResponseMessage> PutAsync(HostPowerConfigRequest body) => admin.PutAsJsonAsync(ApiRoutes.HostPowerConfig(host), body);

    private HostPowerConfigRequest Redfish(string? pin = null, string? ca = null, string? password = RedfishService.Password) =>
        new("redfish", bmc.Endpoint.ToString(), null, RedfishService.User, password, TlsFingerprint: pin, CaCertificate: ca);

    private async Task<PowerBindingRecord> StoredAsync()
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var h = await db.Hosts.AsNoTracking().FirstAsync(x => x.Name == host);
        return await db.PowerBindings.AsNoTracking().SingleAsync(p => p.HostId == h.Id);
    }

    private async Task<PowerStatus> StatusThroughServerAsync()
    {
        var resolver = (BindingPowerDriverResolver)server.App.Services.GetRequiredService<IPowerDriverResolver>();
        return await resolver.Control(await StoredAsync(), PowerMethod.Redfish).GetStatusAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task PinnedFingerprint_IsShownAsOpensslPrintsIt_AndTheServerTrustsThatCertificateOnly()
    {
        var colons = string.Join(':', Pin.Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var r = await PutAsync(Redfish(pin: colons));
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var dto = (await r.ReadAsync<HostDto>()).PowerConfig!;
        dto.TlsFingerprint.Should().Be(colons.ToUpperInvariant());
        dto.CaSubject.Should().BeNull();

        bmc.PowerState = "On";
        (await StatusThroughServerAsync()).Should().Be(PowerStatus.On);

        var audit = await admin.GetStringAsync(ApiRoutes.Base + "/audit?action=host.power-config");
        audit.Should().Contain("certificate pinned");
    }

    [Fact]
    public async Task WithoutTrust_TheSelfSignedBmcIsRefusedWithCertificateRejected()
    {
        (await PutAsync(Redfish())).StatusCode.Should().Be(HttpStatusCode.OK);
        var e = await FluentActions.Awaiting(StatusThroughServerAsync).Should().ThrowAsync<PowerControlException>();
        e.Which.Fault.Should().Be(PowerFault.CertificateRejected);
    }

    [Fact]
    public async Task CaCertificate_IsStoredAndShownBySubject_AndTheServerTrustsTheChain()
    {
        var r = await PutAsync(Redfish(ca: CaPem));
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var dto = (await r.ReadAsync<HostDto>()).PowerConfig!;
        dto.CaSubject.Should().Be(bmc.Ca.Subject);
        dto.TlsFingerprint.Should().BeNull();
        bmc.PowerState = "Off";
        (await StatusThroughServerAsync()).Should().Be(PowerStatus.Off);
    }

    [Fact]
    public async Task NullKeeps_EmptyClears_AndANewPinReplacesAStoredCa()
    {
        (await PutAsync(Redfish(ca: CaPem))).EnsureSuccessStatusCode();
        (await PutAsync(Redfish(password: null))).EnsureSuccessStatusCode();
        (await StoredAsync()).CaCertificatePem.Should().NotBeNull("leaving caCertificate out keeps it");

        (await PutAsync(Redfish(pin: Pin, password: null))).EnsureSuccessStatusCode();
        var stored = await StoredAsync();
        stored.TlsPinSha256.Should().Be(Pin);
        stored.CaCertificatePem.Should().BeNull("a new pin replaces the CA");

        (await PutAsync(Redfish(pin: "", password: null))).EnsureSuccessStatusCode();
        (await StoredAsync()).TlsPinSha256.Should().BeNull();
    }

    [Fact]
    public async Task SwitchingToIpmi_DropsRedfishTrust()
    {
        (await PutAsync(Redfish(pin: Pin))).EnsureSuccessStatusCode();
        (await PutAsync(new HostPowerConfigRequest("ipmi", "10.0.0.5", null, "admin", "pw"))).EnsureSuccessStatusCode();
        var stored = await StoredAsync();
        stored.TlsPinSha256.Should().BeNull();
        stored.CaCertificatePem.Should().BeNull();
    }

    [Theory]
    [InlineData("redfish", "abc", null, "tlsFingerprint", "is not a SHA-256 fingerprint")]
    [InlineData("redfish", null, "not a pem", "caCertificate", "is not a PEM certificate")]
    [InlineData("redfish", "PIN", "CA", "tlsFingerprint", "not both")]
    [InlineData("ipmi", "PIN", null, "tlsFingerprint", "uses no Redfish")]
    [InlineData("ipmi", null, "CA", "caCertificate", "uses no Redfish")]
    public async Task BadTrust_Is400NamingTheField_AndStoresNothing(string method, string? pin, string? ca, string field, string says)
    {
        pin = pin == "PIN" ? Pin : pin;
        ca = ca == "CA" ? CaPem : ca;
        var address = method == "redfish" ? bmc.Endpoint.ToString() : "10.0.0.5";
        var r = await PutAsync(new HostPowerConfigRequest(method, address, null, "root", "pw", TlsFingerprint: pin, CaCertificate: ca));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be(field);
        problem.GetProperty("detail").GetString().Should().Contain(says);
        await using var scope = server.App.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<OctopusDbContext>().PowerBindings.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task OversizedCa_Is400()
    {
        var r = await PutAsync(Redfish(ca: new string('A', PowerConfigCommands.MaxCaCertificateChars + 1)));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("at most");
    }
}
