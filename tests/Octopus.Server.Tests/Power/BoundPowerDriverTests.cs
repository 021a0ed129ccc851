using System.Diagnostics;
using Octopus.Domain.Hosts;
using Octopus.Drivers;
using Octopus.Drivers.Power.Ipmi;
using Octopus.Drivers.Power.WakeOnLan;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Power;

/// <summary>The power sequences against a real BMC (ipmi_sim on loopback) whose chassis power starts and stops a host
/// process; the "heartbeat" here is that process having started (the agent end to end is not covered here).</summary>
public sealed class BoundPowerDriverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly HostId Host = HostId.New();
    private static readonly PowerSequenceOptions Quick = new()
    {
        GracefulOffTimeout = TimeSpan.FromSeconds(5), ForceOffTimeout = TimeSpan.FromSeconds(10), PowerOnTimeout = TimeSpan.FromSeconds(10),
        Poll = TimeSpan.FromMilliseconds(100),
    };
    private static readonly IpmiOptions Fast = new() { RetryInterval = TimeSpan.FromSeconds(1), Retries = 1, CommandTimeout = TimeSpan.FromSeconds(20) };

    private IpmiSim? sim;
    private string folder = "";
    private string PidFile => Path.Combine(folder, "host.pid");

    public async ValueTask InitializeAsync()
    {
        Assert.SkipWhen(IpmiSim.SkipReason is not null, IpmiSim.SkipReason ?? "");
        folder = Directory.CreateTempSubdirectory("octopus-bound-power-").FullName;
        var script = Path.Combine(folder, "host.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho $$ > {PidFile}.tmp && mv {PidFile}.tmp {PidFile}\nexec sleep 1000000\n");
        sim = await IpmiSim.StartAsync("/bin/sh " + script);
    }

    public async ValueTask DisposeAsync()
    {
        if (sim is not null) await sim.DisposeAsync();
        if (folder.Length > 0) Directory.Delete(folder, recursive: true);
    }

    /// <summary>"Heartbeat": the host process wrote its PID file after <c>since</c> and is alive.</summary>
    private sealed class ProcessWatch(string pidFile) : IHeartbeatWatch
    {
        public bool HeardSince(HostId host, DateTimeOffset since) =>
            File.Exists(pidFile) && File.GetLastWriteTimeUtc(pidFile) >= since.UtcDateTime.AddSeconds(-1)
            && Directory.Exists("/proc/" + File.ReadAllText(pidFile).Trim());
    }

    private BoundPowerDriver Driver(IReadOnlyList<PowerMethod> order, string? password = null) =>
        new(Host, "node1", order, m => m switch
        {
            PowerMethod.Ipmi => new IpmiPowerDriver(new IpmiTarget("127.0.0.1", sim!.User, password ?? sim.Password, sim.Port), Fast),
            // A MAC nobody has, to a loopback port nobody listens on: the packet goes, nothing wakes.
            PowerMethod.WakeOnLan => new WakeOnLanPowerDriver(new WakeOnLanTarget(
                System.Net.NetworkInformation.PhysicalAddress.Parse("525400000001"), System.Net.IPAddress.Loopback, IpmiSim.FreeLoopbackUdpPort())),
            _ => throw new InvalidOperationException(),
        }, new ProcessWatch(PidFile), Quick, TimeProvider.System);

    [Fact]
    public async Task PowerOnThenOff_AgainstIpmiSim_HeartbeatThenOffAndTimed()
    {
        var driver = Driver([PowerMethod.Ipmi]);
        var sw = Stopwatch.StartNew();
        await driver.PowerOnAsync(Host, CancellationToken.None);
        var on = sw.Elapsed;
        File.Exists(PidFile).Should().BeTrue();

        sw.Restart();
        await driver.PowerOffAsync(Host, CancellationToken.None);
        var off = sw.Elapsed;
        (await sim!.IpmitoolAsync("chassis", "power", "status")).Output.Should().Contain("Chassis Power is off");
        output.WriteLine($"ipmi_sim: power-on -> host process up {on.TotalMilliseconds:0} ms; power-off (soft refused -> forced) -> BMC Off {off.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task PowerOn_WrongPasswordThenWolThatWakesNothing_FailsListingEachReason()
    {
        var driver = Driver([PowerMethod.Ipmi, PowerMethod.WakeOnLan], password: "wrong-password");
        var e = await Assert.ThrowsAsync<DriverException>(() => driver.PowerOnAsync(Host, CancellationToken.None));
        e.Message.Should().Contain("host node1 could not be powered on")
            .And.Contain("ipmi: the BMC at 127.0.0.1").And.Contain("rejected user")
            .And.Contain("wol: powered on, but its agent did not heartbeat within 10 s")
            .And.NotContain("wrong-password");
    }

    [Fact]
    public async Task PowerOff_WolOnly_RefusedSayingWhatToConfigure()
    {
        var e = await Assert.ThrowsAsync<DriverException>(() => Driver([PowerMethod.WakeOnLan]).PowerOffAsync(Host, CancellationToken.None));
        e.Message.Should().Contain("no power method that can switch it off").And.Contain("configure ipmi or redfish");
    }
}
