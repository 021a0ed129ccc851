using System.Globalization;
using System.Runtime.InteropServices;
using Octopus.Drivers.Network.Processes;

namespace Octopus.Drivers.Network.Dhcp;

/// <summary>One dnsmasq per network on this node, serving DHCP only to the MACs in its static hosts file (no dynamic
/// pool: Octopus is the address manager) and DNS for <c>NAME.DOMAIN</c> and the reverse names. <see cref="EnsureAsync"/>
/// rewrites the host files and signals a running dnsmasq to reread them (SIGHUP); it starts one when none runs, and
/// restarts it when the network's settings changed. Each instance is tracked by its pid file and stopped by that PID.</summary>
public sealed partial class DnsmasqServer(ICommandRunner run, HostNetworkOptions options)
{
    private const int SigTerm = 15;
    private const int SigHup = 1;

    /// <summary>Makes dnsmasq serve <paramref name="spec"/> now. Returns the PID serving it.</summary>
    public async Task<int> EnsureAsync(DhcpNetworkSpec spec, CancellationToken ct)
    {
        var folder = FolderOf(spec.Name.Value);
        Directory.CreateDirectory(folder);
        // dnsmasq rereads the host files after dropping to an unprivileged user.
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await WriteAtomicallyAsync(Path.Combine(folder, "hosts.dhcp"), DnsmasqHostFiles.DhcpHosts(spec), ct);
        await WriteAtomicallyAsync(Path.Combine(folder, "hosts.dns"), DnsmasqHostFiles.DnsHosts(spec), ct);

        var args = Arguments(spec, folder);
        var argsFile = Path.Combine(folder, "args");
        var running = RunningPid(spec.Name.Value);
        if (running is { } pid)
        {
            var previous = File.Exists(argsFile) ? await File.ReadAllTextAsync(argsFile, ct) : "";
            if (previous == string.Join('\n', args))
            {
                if (Kill(pid, SigHup) != 0) throw new DriverException($"dnsmasq for network {spec.Name} (PID {pid}) could not be signalled to reload.");
                return pid;
            }
            await StopAsync(spec.Name.Value, ct);
        }
        await File.WriteAllTextAsync(argsFile, string.Join('\n', args), ct);
        File.Delete(Path.Combine(folder, "pid"));
        await run.RunAsync(options.DnsmasqPath, args, ct);
        return RunningPid(spec.Name.Value)
            ?? throw new DriverException($"dnsmasq for network {spec.Name} did not start; see {Path.Combine(folder, "log")}.");
    }

    /// <summary>Stops the network's dnsmasq by its PID (SIGTERM, then waits up to 5 s); nothing when none runs.</summary>
    public async Task StopAsync(string network, CancellationToken ct)
    {
        if (RunningPid(network) is not { } pid) return;
        Kill(pid, SigTerm);
        for (var i = 0; i < 100 && IsDnsmasq(pid); i++) await Task.Delay(50, ct);
        if (IsDnsmasq(pid)) throw new DriverException($"dnsmasq for network {network} (PID {pid}) did not stop.");
    }

    /// <summary>The PID of the network's running dnsmasq, or null (no pid file, or that process is gone or is not dnsmasq).</summary>
    public int? RunningPid(string network)
    {
        var file = Path.Combine(FolderOf(network), "pid");
        if (!File.Exists(file)) return null;
        return int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsDnsmasq(pid) ? pid : null;
    }

    public string FolderOf(string network) => Path.Combine(options.StateFolder, "dnsmasq", network);

    internal IReadOnlyList<string> Arguments(DhcpNetworkSpec spec, string folder) =>
    [
        "--conf-file=/dev/null",          // nothing from /etc/dnsmasq.conf
        "--bind-interfaces", $"--interface={spec.Bridge}", "--except-interface=lo", $"--listen-address={spec.ListenAddress}",
        // "static": leases only for the hosts file's MACs, no dynamic pool.
        $"--dhcp-range={spec.Subnet.Network},static,{new Domain.Networks.Ipv4Address(spec.Subnet.Mask)},1h",
        $"--dhcp-hostsfile={Path.Combine(folder, "hosts.dhcp")}",
        $"--addn-hosts={Path.Combine(folder, "hosts.dns")}",
        $"--domain={spec.Domain}", $"--local=/{spec.Domain}/",
        $"--dhcp-option=option:router,{spec.Gateway}", $"--dhcp-option=option:dns-server,{spec.ListenAddress}",
        "--dhcp-authoritative", "--no-resolv", "--no-hosts",
        $"--pid-file={Path.Combine(folder, "pid")}", $"--dhcp-leasefile={Path.Combine(folder, "leases")}",
        $"--log-facility={Path.Combine(folder, "log")}", "--log-dhcp",
        $"--user={options.DnsmasqUser}", $"--group={options.DnsmasqGroup}",
    ];

    private static bool IsDnsmasq(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() == "dnsmasq"; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static async Task WriteAtomicallyAsync(string path, string text, CancellationToken ct)
    {
        var temp = path + ".new";
        await File.WriteAllTextAsync(temp, text, ct);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temp, path, overwrite: true);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
