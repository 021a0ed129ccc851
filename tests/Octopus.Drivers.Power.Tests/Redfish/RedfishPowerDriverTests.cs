using System.Diagnostics;
using System.Security.Cryptography;
using Octopus.Drivers.Power.Redfish;
using Octopus.TestKit;
using Octopus.TestKit.Power;

namespace Octopus.Drivers.Power.Tests.Redfish;

/// <summary>The Redfish driver over real HTTPS against <see cref="RedfishService"/> (a protocol-peer fake: no Redfish
/// simulator is packaged).</summary>
public sealed class RedfishPowerDriverTests : IAsyncLifetime
{
    private RedfishService service = null!;

    public async ValueTask InitializeAsync() => service = await RedfishService.StartAsync();

    public async ValueTask DisposeAsync() => await service.DisposeAsync();

    private RedfishPowerDriver Driver(string password = RedfishService.Password, bool trustCa = true, string? pin = null, TimeSpan? timeout = null) =>
        new(new RedfishTarget(service.Endpoint, RedfishService.User, password)
        {
            CaCertificatePem = trustCa && pin is null ? service.Ca.ExportCertificatePem() : null,
            PinnedSha256 = pin,
        }, new RedfishOptions { RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task PowerOn_ThenGracefulOff_ResetsAndReadsState()
    {
        using var driver = Driver();
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.Off);
        await driver.PowerOnAsync(CancellationToken.None);
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.On);
        await driver.PowerOnAsync(CancellationToken.None); // already on: no second reset
        await driver.PowerOffAsync(PowerOffMode.Graceful, CancellationToken.None);
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.On, "PoweringOff still draws power");
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.Off);
        service.Resets.Should().Equal("On", "GracefulShutdown");
    }

    [Fact]
    public async Task PowerOff_Force_ForceOff()
    {
        service.PowerState = "On";
        using var driver = Driver();
        await driver.PowerOffAsync(PowerOffMode.Force, CancellationToken.None);
        await driver.PowerOffAsync(PowerOffMode.Force, CancellationToken.None); // already off: nothing sent
        service.Resets.Should().Equal("ForceOff");
        service.PowerState.Should().Be("Off");
    }

    [Fact]
    public async Task ReadPower_PowerControl_Watts()
    {
        service.PowerState = "On";
        using var driver = Driver();
        (await driver.ReadPowerAsync(CancellationToken.None)).Should().Be(new Domain.Units.Watts(182));
    }

    [Fact]
    public async Task PowerOff_ResetTypeNotOffered_Unsupported()
    {
        service.PowerState = "On";
        service.AllowedResets.Remove("GracefulShutdown");
        using var driver = Driver();
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.PowerOffAsync(PowerOffMode.Graceful, CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unsupported);
        e.Message.Should().Contain("does not offer reset type GracefulShutdown").And.Contain("On, ForceOff");
        service.Resets.Should().BeEmpty();
    }

    [Fact]
    public async Task PowerOn_ServiceRefuses_RefusedWithItsMessage()
    {
        service.AllowedResets.Add("Nonsense");
        service.PowerState = "PoweringOn"; // reads as Off, but the service refuses On now
        using var driver = Driver();
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.PowerOnAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Refused);
        e.Message.Should().Contain("409").And.Contain("The system is PoweringOn; On is not possible now.");
    }

    [Fact]
    public async Task GetStatus_WrongPassword_WrongCredentialsWithoutThePassword()
    {
        using var driver = Driver(password: "wrong-one");
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.WrongCredentials);
        e.Message.Should().Contain("rejected user 'root'").And.NotContain("wrong-one");
    }

    [Fact]
    public async Task GetStatus_UntrustedCertificate_CertificateRejected()
    {
        using var driver = Driver(trustCa: false);
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.CertificateRejected);
        e.Message.Should().Contain("not trusted").And.Contain("pin its SHA-256 fingerprint");
    }

    [Fact]
    public async Task GetStatus_PinnedFingerprint_TrustedWithoutCa()
    {
        var pin = Convert.ToHexString(SHA256.HashData(service.Leaf.RawData));
        using var driver = Driver(pin: string.Join(':', pin.Chunk(2).Select(c => new string(c))).ToLowerInvariant());
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.Off);
    }

    [Fact]
    public async Task GetStatus_WrongPin_CertificateRejected()
    {
        using var driver = Driver(pin: new string('A', 64));
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.CertificateRejected);
        e.Message.Should().Contain("is not the pinned " + new string('A', 64));
    }

    [Fact]
    public async Task GetStatus_NothingListening_Unreachable()
    {
        using var driver = new RedfishPowerDriver(new RedfishTarget(new Uri($"https://127.0.0.1:{TestProcesses.FreeLoopbackPort()}"), "root", "x"));
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unreachable);
        e.Message.Should().Contain("no Redfish service answered").And.Contain("ConnectionRefused");
    }

    [Fact]
    public async Task GetStatus_SlowService_TimeoutAfterRequestTimeout()
    {
        service.Delay = TimeSpan.FromSeconds(30);
        using var driver = Driver(timeout: TimeSpan.FromSeconds(1));
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Timeout);
        e.Message.Should().Contain("within 1 s");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("http://10.0.0.5", null, null, "is not https://")]
    [InlineData("https://10.0.0.5", "../x", null, "is not a ComputerSystem id")]
    [InlineData("https://10.0.0.5", null, "abcd", "is not a SHA-256 fingerprint")]
    public void Problems_BadTarget_SaysWhat(string endpoint, string? system, string? pin, string expected) =>
        new RedfishTarget(new Uri(endpoint), "root", "x") { SystemId = system, PinnedSha256 = pin }.Problems()
            .Should().ContainSingle().Which.Should().Contain(expected);
}
