using System.Runtime.InteropServices;

namespace Octopus.Drivers.Network.Tests;

/// <summary>A Linux packet socket (AF_PACKET, SOCK_RAW) on one interface of one of the lab's namespaces, for frames no
/// tool on the machine sends (a RARP announcement, as QEMU sends for a guest after a live migration). It is opened on a
/// thread of its own that enters the namespace (setns) and ends there, so no thread of the test process is left in it;
/// the socket keeps the namespace it was made in. Sends whole Ethernet frames and receives those of one ethertype.</summary>
internal sealed class PacketSocket : IDisposable
{
    private const int AfPacket = 17, SockRaw = 3, CloneNewNet = 0x40000000, SolSocket = 1, SoRcvTimeo = 20;
    private readonly int _fd;

    private PacketSocket(int fd) => _fd = fd;

    /// <summary>Opens a socket bound to <paramref name="ifname"/> in namespace <paramref name="ns"/> (made by
    /// <c>ip netns add</c>) that receives frames of <paramref name="ethertype"/>.</summary>
    public static PacketSocket Open(string ns, string ifname, ushort ethertype)
    {
        int fd = -1;
        string? error = null;
        var thread = new Thread(() =>
        {
            using var nsFile = File.OpenHandle($"/run/netns/{ns}");
            if (Setns((int)nsFile.DangerousGetHandle(), CloneNewNet) != 0) { error = $"setns {ns}: errno {Marshal.GetLastPInvokeError()}"; return; }
            var index = IfNameToIndex(ifname);
            if (index == 0) { error = $"no interface {ifname} in {ns}"; return; }
            var protocol = (int)(ushort)System.Net.IPAddress.HostToNetworkOrder((short)ethertype);
            fd = Socket(AfPacket, SockRaw, protocol);
            if (fd < 0) { error = $"socket(AF_PACKET): errno {Marshal.GetLastPInvokeError()}"; return; }
            // struct sockaddr_ll: family (2), protocol (2, network order), ifindex (4), hatype (2), pkttype (1), halen (1), addr (8).
            var address = new byte[20];
            BitConverter.TryWriteBytes(address.AsSpan(0, 2), (ushort)AfPacket);
            BitConverter.TryWriteBytes(address.AsSpan(2, 2), (ushort)protocol);
            BitConverter.TryWriteBytes(address.AsSpan(4, 4), (int)index);
            if (Bind(fd, address, address.Length) != 0) error = $"bind {ifname}: errno {Marshal.GetLastPInvokeError()}";
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            if (fd >= 0) _ = Close(fd);
            throw new InvalidOperationException(error);
        }
        return new PacketSocket(fd);
    }

    /// <summary>Sends <paramref name="frame"/> (destination MAC onwards) out of the interface.</summary>
    public void Send(byte[] frame)
    {
        if (Write(_fd, frame, frame.Length, 0) != frame.Length)
            throw new InvalidOperationException($"send: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The frames of the socket's ethertype that arrive within <paramref name="within"/>.</summary>
    public List<byte[]> Receive(TimeSpan within)
    {
        var frames = new List<byte[]>();
        var deadline = DateTime.UtcNow + within;
        var buffer = new byte[2048];
        while (DateTime.UtcNow < deadline)
        {
            var left = deadline - DateTime.UtcNow;
            var timeout = new byte[16]; // struct timeval: seconds, microseconds (64-bit each)
            BitConverter.TryWriteBytes(timeout.AsSpan(0, 8), (long)left.TotalSeconds);
            BitConverter.TryWriteBytes(timeout.AsSpan(8, 8), Math.Max(1000L, (long)(left.TotalMilliseconds % 1000 * 1000)));
            if (SetSockOpt(_fd, SolSocket, SoRcvTimeo, timeout, timeout.Length) != 0)
                throw new InvalidOperationException($"setsockopt SO_RCVTIMEO: errno {Marshal.GetLastPInvokeError()}");
            var n = Read(_fd, buffer, buffer.Length, 0);
            if (n > 0) frames.Add(buffer[..(int)n]);
        }
        return frames;
    }

    public void Dispose() => _ = Close(_fd);

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int Setns(int fd, int nstype);

    [DllImport("libc", EntryPoint = "if_nametoindex", SetLastError = true)]
    private static extern uint IfNameToIndex(string name);

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static extern int Bind(int fd, byte[] address, int length);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    private static extern nint Write(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern nint Read(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int name, byte[] value, int length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
