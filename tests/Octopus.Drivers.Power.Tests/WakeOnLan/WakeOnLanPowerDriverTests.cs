using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Octopus.Drivers.Power.WakeOnLan;

namespace Octopus.Drivers.Power.Tests.WakeOnLan;

/// <summary>The Wake-on-LAN driver's packet received by a real UDP listener: inside a network namespace the test
/// creates (root), reached by subnet broadcast over a veth pair; on loopback when the namespace cannot be made.</summary>
public sealed class WakeOnLanPowerDriverTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("525400A1B2C3");

    [Fact]
    public async Task PowerOn_Broadcast_ListenerReceivesTheMagicPacket()
    {
        byte[] received;
        if (NetworkNamespace.CanCreate)
        {
            using var ns = NetworkNamespace.Create();
            using var listener = ns.BindUdp(WakeOnLanTarget.DefaultPort);
            var receive = ReceiveAsync(listener);
            await new WakeOnLanPowerDriver(new WakeOnLanTarget(Mac, ns.Broadcast)).PowerOnAsync(CancellationToken.None);
            var (bytes, from) = await receive;
            from.Address.Should().Be(ns.HostAddress, "the packet crossed the veth into the namespace");
            received = bytes;
        }
        else
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var receive = ReceiveAsync(listener);
            await new WakeOnLanPowerDriver(new WakeOnLanTarget(Mac, IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port)).PowerOnAsync(CancellationToken.None);
            received = (await receive).Bytes;
        }

        received.Should().HaveCount(102);
        received.Take(6).Should().OnlyContain(b => b == 0xFF);
        for (var i = 0; i < 16; i++) received.Skip(6 + i * 6).Take(6).Should().Equal(0x52, 0x54, 0x00, 0xA1, 0xB2, 0xC3);
    }

    [Fact]
    public async Task PowerOff_Refused_Unsupported()
    {
        var driver = new WakeOnLanPowerDriver(new WakeOnLanTarget(Mac, IPAddress.Broadcast));
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.PowerOffAsync(PowerOffMode.Graceful, CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unsupported);
        e.Message.Should().Contain("can only switch a host on");
        (await driver.GetStatusAsync(CancellationToken.None)).Should().Be(PowerStatus.Unknown);
        (await driver.ReadPowerAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task PowerOn_UnroutableBroadcast_UnreachableWithAdvice()
    {
        // An IPv6 socket cannot send to an IPv4 broadcast address: the send fails on this machine.
        var driver = new WakeOnLanPowerDriver(new WakeOnLanTarget(Mac, IPAddress.Parse("255.255.255.255"), 0));
        var e = await Assert.ThrowsAsync<PowerControlException>(() => driver.PowerOnAsync(CancellationToken.None));
        e.Fault.Should().Be(PowerFault.Unreachable);
        e.Message.Should().Contain("could not be sent").And.Contain("52:54:00:a1:b2:c3");
    }

    [Theory]
    [InlineData("52:54:00:a1:b2:c3", true)]
    [InlineData("52-54-00-A1-B2-C3", true)]
    [InlineData("52:54:00:a1:b2", false)]
    [InlineData("zz:54:00:a1:b2:c3", false)]
    public void TryParseMac_Forms(string text, bool ok)
    {
        var mac = WakeOnLanTarget.TryParseMac(text, out var problem);
        (mac is not null).Should().Be(ok);
        if (!ok) problem.Should().Contain("write it as aa:bb:cc:dd:ee:ff");
    }

    private static async Task<(byte[] Bytes, IPEndPoint From)> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1500];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        return (buffer[..r.ReceivedBytes], (IPEndPoint)r.RemoteEndPoint);
    }
}
