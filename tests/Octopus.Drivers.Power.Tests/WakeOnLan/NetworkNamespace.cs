using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Octopus.Drivers.Power.Tests.WakeOnLan;

/// <summary>A network namespace the test creates (needs root): a veth pair, one end here with 10.254.N.1/24, the
/// other inside the namespace with 10.254.N.2/24, so a broadcast to 10.254.N.255 leaves this machine's namespace only
/// into the test's. Removed (namespace and veth) on dispose.</summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private NetworkNamespace(string name, string hostSide, int subnet)
    {
        Name = name;
        HostSide = hostSide;
        Subnet = subnet;
    }

    public string Name { get; }
    private string HostSide { get; }
    private int Subnet { get; }
    public IPAddress Broadcast => IPAddress.Parse($"10.254.{Subnet}.255");
    public IPAddress HostAddress => IPAddress.Parse($"10.254.{Subnet}.1");

    public static bool CanCreate => Environment.UserName == "root" && File.Exists(IpBinary);

    private static string IpBinary => File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip";

    public static NetworkNamespace Create()
    {
        var id = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var subnet = Random.Shared.Next(1, 254);
        var ns = new NetworkNamespace("octo-wol-" + id, "owol" + id + "a", subnet);
        var inner = "owol" + id + "b";
        try
        {
            Ip("netns", "add", ns.Name);
            Ip("link", "add", ns.HostSide, "type", "veth", "peer", "name", inner);
            Ip("link", "set", inner, "netns", ns.Name);
            Ip("addr", "add", $"10.254.{subnet}.1/24", "dev", ns.HostSide);
            Ip("link", "set", ns.HostSide, "up");
            Ip("-n", ns.Name, "addr", "add", $"10.254.{subnet}.2/24", "dev", inner);
            Ip("-n", ns.Name, "link", "set", inner, "up");
            Ip("-n", ns.Name, "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>A UDP socket bound to 0.0.0.0:<paramref name="port"/> INSIDE the namespace: made on a thread that
    /// joins the namespace first (a socket keeps the namespace it was created in) and then ends.</summary>
    public Socket BindUdp(int port)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/run/netns/" + Name);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Any, port));
                socket = s;
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException("could not bind in the namespace", failure);
    }

    public void Dispose()
    {
        TryIp("link", "del", HostSide);
        TryIp("netns", "del", Name);
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = Run(args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {output}");
    }

    private static void TryIp(params string[] args) => Run(args);

    private static (int, string) Run(string[] args)
    {
        var psi = new ProcessStartInfo(IpBinary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetNs(int fd, int nstype);
}
