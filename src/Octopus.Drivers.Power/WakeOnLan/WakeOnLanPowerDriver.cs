using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Drivers.Power.WakeOnLan;

/// <summary>Powers a host on with a Wake-on-LAN magic packet (6 × 0xFF, then the MAC 16 times) sent by UDP to the
/// configured broadcast address. WoL only switches on: power-off is refused, and it cannot read status or watts.</summary>
public sealed class WakeOnLanPowerDriver(WakeOnLanTarget target) : IHostPowerControl
{
    public PowerMethod Method => PowerMethod.WakeOnLan;

    /// <summary>The 102-byte magic packet for <paramref name="mac"/>.</summary>
    public static byte[] MagicPacket(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        var bytes = mac.GetAddressBytes();
        if (bytes.Length != 6)
            throw new PowerControlException(PowerFault.Refused, $"Wake-on-LAN needs a 6-byte MAC address, got {bytes.Length} bytes; write it as aa:bb:cc:dd:ee:ff.");
        var packet = new byte[6 + 16 * 6];
        packet.AsSpan(0, 6).Fill(0xFF);
        for (var i = 0; i < 16; i++) bytes.CopyTo(packet, 6 + i * 6);
        return packet;
    }

    /// <summary>Wake-on-LAN has no way back from the host: the agent's heartbeat is the only sign it woke.</summary>
    public Task<PowerStatus> GetStatusAsync(CancellationToken ct) => Task.FromResult(PowerStatus.Unknown);

    public async Task PowerOnAsync(CancellationToken ct)
    {
        var packet = MagicPacket(target.Mac);
        using var udp = new UdpClient(target.Broadcast.AddressFamily) { EnableBroadcast = true };
        try
        {
            await udp.SendAsync(packet, new IPEndPoint(target.Broadcast, target.Port), ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new PowerControlException(PowerFault.Unreachable,
                $"the Wake-on-LAN packet for {WakeOnLanTarget.Format(target.Mac)} could not be sent to {target.Broadcast}:{target.Port} ({e.Message}); check the broadcast address belongs to a network this server is on.", e);
        }
    }

    public Task PowerOffAsync(PowerOffMode mode, CancellationToken ct) =>
        throw new PowerControlException(PowerFault.Unsupported,
            "Wake-on-LAN can only switch a host on; configure a BMC (ipmi, redfish) or the agent method to switch it off.");

    public Task<Watts?> ReadPowerAsync(CancellationToken ct) => Task.FromResult<Watts?>(null);
}
