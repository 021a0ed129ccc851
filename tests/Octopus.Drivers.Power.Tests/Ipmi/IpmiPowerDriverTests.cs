using System.Diagnostics;
using Octopus.Drivers.Power.Ipmi;
using Octopus.TestKit;

namespace Octopus.Drivers.Power.Tests.Ipmi;

/// <summary>The IPMI driver against a real BMC: OpenIPMI's ipmi_sim on 127.0.0.1, whose chassis power starts and stops
/// a marker process the test can see.</summary>
public sealed class IpmiPowerDriverTests : IAsyncLifetime
{
    private static readonly IpmiOptions Fast = new() { RetryInterval = TimeSpan.FromSeconds(1), Retries = 1, CommandTimeout = TimeSpan.FromSeconds(20) };
    private IpmiSim? sim;
    private string folder = "";

    private string PidFile => Path.Combine(folder, "powered.pid");

    public async ValueTask InitializeAsync()
    {
        Assert.SkipWhen(IpmiSim.SkipReason is not null, IpmiSim.SkipReason ?? "");
        folder = Directory.CreateTempSubdirectory("octopus-ipmi-test-").FullName;
        var script = Path.Combine(folder, "host.sh");
        // The "host": a process that records its PID and runs until ipmi_sim's power-off terminates it.
        File.WriteAllText(script, $"#!/bin/sh\necho $$ > {PidFile}\nexec sleep 1000000\n");
        sim = await IpmiSim.StartAsync("/bin/sh " + script);
    }

    public async ValueTask DisposeAsync()
    {
        if (sim is not null) await sim.DisposeAsync();
        if (folder.Length > 0) Directory.Delete(folder, recursive: true);
    }

    private IpmiPowerDriver Driver(string? password = null, int? port = null, IpmiOptions? options = null) =>
        new(new IpmiTarget("127.0.0.1", sim!.User, password ?? sim.Password, port ?? sim.Port), options ?? Fast);

    private bool HostProcessAlive()
    {
        if (!File.Exists(PidFile)) return false;
        var text = File.ReadAllText(PidFile).Trim();
        return text.Length > 0 && Directory.Exists("/proc/" + text) && !File.ReadAllText($"/proc/{text}/stat").Contains(") Z ", StringComparison.Ordinal);
    }

    private static async Task<PowerStatus> StatusEventuallyAsync(IpmiPowerDriver driver, PowerStatus wanted)
    {
        var sw = Stopwatch.StartNew();
        var status = await driver.GetStatusAsync(CancellationToken.None);
        while (status != wanted && sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            status = await driver.GetStatusAsync(CancellationToken.None);
        }
        return status;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }

    [Fact]
    public async Task GetStatus_FreshBmc_Off()
    {
        (await Driver().GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.Off);
        HostProcessAlive().Should().BeFalse();
    }

    [Fact]
    public async Task PowerOn_ThenForceOff_StartsAndStopsTheHost()
    {
        var driver = Driver();
        await driver.PowerOnAsync(CancellationToken.None);
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.On);
        (await EventuallyAsync(HostProcessAlive)).Should().BeTrue("ipmi_sim's power-on runs the host's start command");

        await driver.PowerOnAsync(CancellationToken.None); // idempotent

        await driver.PowerOffAsync(PowerOffMode.Force, CancellationToken.None);
        // ipmi_sim acknowledges chassis power off before its power-off command has run; on a loaded machine the status can
        // still read On for a moment, as a real BMC's can (BoundPowerDriver polls for the same reason).
        (await StatusEventuallyAsync(driver, PowerStatus.Off)).Should().Be(PowerStatus.Off);
        (await EventuallyAsync(() => !HostProcessAlive())).Should().BeTrue("power-off terminates the host's process");
        await driver.PowerOffAsync(PowerOffMode.Force, CancellationToken.None); // idempotent
    }

    [Fact]
    public async Task PowerOff_GracefulWithoutOsConnection_UnsupportedWithAdvice()
    {
        var driver = Driver();
        await driver.PowerOnAsync(CancellationToken.None);
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.PowerOffAsync(PowerOffMode.Graceful, CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unsupported);
        e.Message.Should().Contain("soft-off refused").And.Contain("forcibly");
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.On, "a refused graceful off changes nothing");
    }

    [Fact]
    public async Task ReadPower_BmcWithoutDcmiOrPowerSensor_Null()
    {
        (await Driver().ReadPowerAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task ReadPower_BmcWithoutDcmi_ReadsItsPowerSensor()
    {
        // A second BMC whose SDR lists a "Pwr Consumption" sensor in watts, read from a file the test rewrites.
        await using var metered = await IpmiSim.StartAsync(powerSensorWatts: 150);
        var driver = new IpmiPowerDriver(new IpmiTarget("127.0.0.1", metered.User, metered.Password, metered.Port), Fast);
        (await ReadingEventuallyAsync(driver, 150)).Should().Be(new Domain.Units.Watts(150), "the BMC polls its sensor every second");

        metered.SetWatts(238);
        (await ReadingEventuallyAsync(driver, 238)).Should().Be(new Domain.Units.Watts(238));
    }

    private static async Task<Domain.Units.Watts?> ReadingEventuallyAsync(IpmiPowerDriver driver, double wanted)
    {
        var sw = Stopwatch.StartNew();
        var reading = await driver.ReadPowerAsync(CancellationToken.None);
        while (reading != new Domain.Units.Watts(wanted) && sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(200);
            reading = await driver.ReadPowerAsync(CancellationToken.None);
        }
        return reading;
    }

    [Fact]
    public async Task GetStatus_WrongPassword_WrongCredentialsWithoutThePassword()
    {
        var e = await Assert.ThrowsAsync<PowerControlException>(() => Driver(password: "not-the-password").GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.WrongCredentials);
        e.Message.Should().Contain("rejected user 'octopus'").And.Contain("check the power configuration").And.NotContain("not-the-password");
    }

    [Fact]
    public async Task GetStatus_NothingListening_Unreachable()
    {
        var e = await Assert.ThrowsAsync<PowerControlException>(() => Driver(port: IpmiSim.FreeLoopbackUdpPort()).GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unreachable);
        e.Message.Should().Contain("no BMC answered at 127.0.0.1:");
    }

    [Fact]
    public async Task GetStatus_SlowerThanCommandTimeout_TimeoutAndToolKilled()
    {
        // ipmitool would retry for 10 × 5 s; the driver kills it after 1 s.
        var slow = new IpmiOptions { RetryInterval = TimeSpan.FromSeconds(5), Retries = 10, CommandTimeout = TimeSpan.FromSeconds(1) };
        var sw = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PowerControlException>(() => Driver(port: IpmiSim.FreeLoopbackUdpPort(), options: slow).GetStatusAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Timeout);
        e.Message.Should().Contain("within 1 s");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnyCall_IpmitoolMissing_ToolMissing()
    {
        var e = await Assert.ThrowsAsync<PowerControlException>(() =>
            Driver(options: Fast with { ToolPath = "/nonexistent/ipmitool" }).PowerOnAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.ToolMissing);
        e.Message.Should().Contain("apt package ipmitool");
    }
}
