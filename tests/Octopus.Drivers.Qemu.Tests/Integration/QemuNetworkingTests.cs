using System.Diagnostics;
using System.Security.Cryptography;
using Octopus.Domain.Hosts;
using Octopus.Domain.Networks;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Network;
using Octopus.Drivers.Network.Bridges;
using Octopus.Drivers.Network.Dhcp;
using Octopus.Drivers.Network.Processes;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Integration;

/// <summary>A real QEMU (TCG) guest on a real bridge: in a network namespace the test creates (acting as the host), the
/// network driver makes the bridge and a dnsmasq with the VM's static lease; the QEMU driver has the tap made and joined
/// before QEMU starts; the test guest's udhcpc gets the address Octopus allocated (shown on its serial console and in
/// dnsmasq's lease file) and the guest answers ping from the host. Everything is removed by the test: QEMU and dnsmasq
/// by PID, then the namespace.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QemuNetworkingTests(TestGuestFixture guest) : IClassFixture<TestGuestFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BridgeName Bridge = BridgeName.Parse("br-lab");
    private static readonly Ipv4Address VmAddress = Ipv4Address.Parse("10.77.0.10", "ip");

    [Fact]
    public async Task Create_VmWithNic_GetsItsStaticLease_AnswersPing_AndItsTapLeavesWithIt()
    {
        if (guest.SkipReason is not null) Assert.Skip(guest.SkipReason);
        Assert.SkipUnless(Geteuid() == 0, "network namespaces and taps need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/dnsmasq", "/usr/bin/busybox" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");

        var ns = $"oq-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var state = Directory.CreateTempSubdirectory("oq-net-").FullName;
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101); // dnsmasq drops to nobody and rereads its files
        var net = new HostNetworkOptions { Namespace = ns, StateFolder = state };
        var run = new CommandRunner(net);
        var root = new CommandRunner(new HostNetworkOptions { StateFolder = state });
        var add = await root.RunAsync("/usr/sbin/ip", ["netns", "add", ns], Ct, allowFailure: true);
        Assert.SkipWhen(add.ExitCode != 0, $"cannot create a network namespace here: {add.Error.Trim()}");
        var dnsmasq = new DnsmasqServer(run, net);
        var drivers = new List<QemuNodeDriver>();
        try
        {
            await run.RunAsync("/usr/sbin/ip", ["link", "set", "lo", "up"], Ct);
            var bridges = new LinuxBridgeDriver(run, net);
            await bridges.EnsureBridgeAsync(Bridge, "10.77.0.1/24", Ct);
            var mac = MacAddress.ForAddress(VmAddress);
            await dnsmasq.EnsureAsync(new DhcpNetworkSpec(NetworkName.Parse("lab"), Bridge, Ipv4Subnet.Parse("10.77.0.0/24"), Ipv4Address.Parse("10.77.0.1", "ip"),
                DnsDomain.Parse("lab.octopus"), Ipv4Address.Parse("10.77.0.1", "ip"), [new StaticHost(mac, VmAddress, "web")]), Ct);

            QemuNodeDriver NewDriver(string name)
            {
                var d = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(guest.Root, name), NetworkNamespace = ns },
                    guest.Boot, TimeProvider.System, new QemuImg(), new LinuxTapPlumbing(bridges));
                drivers.Add(d);
                return d;
            }
            var driver = NewDriver($"n{ns}");
            var vm = (await new SharedStorageLayout(guest.Storage, guest.Boot, new QemuImg()).SpecForAsync(VmId.New(), "web",
                Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), TestGuestFixture.Image), Ct))
                with { Nics = [new NicSpec(mac.ToString(), "lab", Bridge.Value, VmAddress.ToString())] };
            var tap = QemuVmSpec.TapName(vm.Id, 0);

            var clock = Stopwatch.StartNew();
            await driver.CreateAsync(vm, Ct);
            var started = clock.Elapsed;
            (await bridges.MasterOfAsync(tap, Ct)).Should().Be("br-lab", "the tap joins the network's bridge before QEMU opens it");
            (await bridges.IsOpenAsync(tap, Ct)).Should().BeTrue("QEMU holds the tap open");
            var console = await WaitForConsoleAsync(driver, vm.Id, $"OCTOPUS-GUEST-LEASE {VmAddress}/24 on eth0", TimeSpan.FromSeconds(60));
            var leased = clock.Elapsed;
            File.ReadAllText(Path.Combine(dnsmasq.FolderOf("lab"), "leases")).Should().Contain($"{mac} {VmAddress} web");
            console.Should().Contain("OCTOPUS-GUEST-READY");

            var pinged = false;
            for (var i = 0; i < 10 && !pinged; i++)
                pinged = (await run.RunAsync("/usr/bin/busybox", ["ping", "-c", "1", "-W", "1", VmAddress.ToString()], Ct, allowFailure: true)).ExitCode == 0;
            pinged.Should().BeTrue("the guest configured its leased address on eth0 and the kernel answers echo requests");
            var answered = clock.Elapsed;
            TestContext.Current.SendDiagnosticMessage(
                $"QEMU started in {started.TotalMilliseconds:0} ms; DHCP lease on the guest console {leased.TotalMilliseconds:0} ms after create; ping answered at {answered.TotalMilliseconds:0} ms");

            await driver.CreateAsync(vm, Ct); // a replay changes nothing: same QEMU, same tap
            (await bridges.IsOpenAsync(tap, Ct)).Should().BeTrue();

            // A second definition of the same VM on this host cannot take the tap from the running one.
            var other = NewDriver($"m{ns}");
            (await FluentActions.Awaiting(() => other.CreateAsync(vm, Ct)).Should().ThrowAsync<DriverException>())
                .WithMessage($"*tap {tap} is held open by another process*");
            await other.DeleteAsync(vm.Id, Ct);
            (await bridges.IsOpenAsync(tap, Ct)).Should().BeTrue("deleting the refused copy leaves the running VM's tap alone");

            // A NIC on a bridge this host does not have is refused before QEMU starts.
            var stray = NewDriver($"s{ns}");
            var strayVm = vm with { Id = VmId.New(), Nics = [new NicSpec("52:54:00:0a:4d:63", "dmz", "br-none", "10.77.0.99")] };
            (await FluentActions.Awaiting(() => stray.CreateAsync(strayVm, Ct)).Should().ThrowAsync<DriverException>())
                .WithMessage("*bridge br-none does not exist on this host*");
            await stray.DeleteAsync(strayVm.Id, Ct);

            await driver.DeleteAsync(vm.Id, Ct);
            (await bridges.ExistsAsync(tap, Ct)).Should().BeFalse("the tap goes with the VM");
        }
        finally
        {
            foreach (var d in drivers) await d.DisposeAsync();
            guest.KillAll();
            await dnsmasq.StopAsync("lab", CancellationToken.None);
            await root.RunAsync("/usr/sbin/ip", ["netns", "del", ns], CancellationToken.None, allowFailure: true);
            try { Directory.Delete(state, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> WaitForConsoleAsync(QemuNodeDriver driver, VmId vm, string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            text = await driver.ReadConsoleAsync(vm, 64 * 1024, Ct);
            if (text.Contains(marker, StringComparison.Ordinal)) return text;
            await Task.Delay(100, Ct);
        }
        throw new Xunit.Sdk.XunitException($"waited {timeout.TotalSeconds} s for '{marker}'; console ends with:\n{(text.Length > 2000 ? text[^2000..] : text)}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
