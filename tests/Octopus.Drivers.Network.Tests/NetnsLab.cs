using System.Diagnostics;
using System.Security.Cryptography;
using Octopus.Domain.Networks;
using Octopus.Drivers.Network.Processes;

namespace Octopus.Drivers.Network.Tests;

/// <summary>A throw-away network lab: one namespace acting as a host (its bridge, dnsmasq and nftables live there) and
/// one namespace per guest, joined to the host's bridge by a veth pair whose host end plays the VM's tap. Nothing is
/// created outside these namespaces; <see cref="DisposeAsync"/> stops what the lab started (by PID) and deletes them.
/// Tests skip (with the reason) when the machine cannot make namespaces or lacks the tools.</summary>
public sealed class NetnsLab : IAsyncDisposable
{
    private readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];

    private NetnsLab(string state) => StateFolder = state;

    public string StateFolder { get; }
    public string HostNamespace => $"oct-{_id}-h";
    public HostNetworkOptions Options => new() { Namespace = HostNamespace, StateFolder = StateFolder };
    public CommandRunner Runner => new(Options);

    public static async Task<NetnsLab> StartAsync()
    {
        Assert.SkipUnless(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || Geteuid() == 0,
            "network namespaces need root");
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/dnsmasq", "/usr/bin/busybox" })
            Assert.SkipUnless(File.Exists(tool), $"{tool} is missing; run scripts/install-deps");
        var state = Directory.CreateTempSubdirectory("octopus-netlab-").FullName;
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        var lab = new NetnsLab(state);
        await lab.IpAsync("netns", "add", lab.HostNamespace);
        lab._namespaces.Add(lab.HostNamespace);
        await lab.InAsync(lab.HostNamespace, "/usr/sbin/ip", "link", "set", "lo", "up");
        return lab;
    }

    /// <summary>A guest namespace whose eth0 (with <paramref name="mac"/>) is joined by a veth pair to the host namespace;
    /// returns the guest namespace and the host end's name (the guest's "tap").</summary>
    public async Task<(string Namespace, string Port)> AddGuestAsync(int index, MacAddress mac)
    {
        var ns = $"oct-{_id}-g{index}";
        var port = $"v{_id}-{index}";
        await IpAsync("netns", "add", ns);
        _namespaces.Add(ns);
        await IpAsync("link", "add", port, "netns", HostNamespace, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await InAsync(ns, "/usr/sbin/ip", "link", "set", "eth0", "address", mac.ToString());
        await InAsync(ns, "/usr/sbin/ip", "link", "set", "eth0", "up");
        await InAsync(ns, "/usr/sbin/ip", "link", "set", "lo", "up");
        return (ns, port);
    }

    /// <summary>Runs a program in a namespace; returns its exit code and output (never throws for a non-zero exit).</summary>
    public async Task<(int Exit, string Out)> InAsync(string ns, params string[] argv)
    {
        var r = await new CommandRunner(new HostNetworkOptions { Namespace = ns, StateFolder = StateFolder, CommandTimeout = TimeSpan.FromSeconds(20) })
            .RunAsync(argv[0], argv[1..], CancellationToken.None, allowFailure: true);
        return (r.ExitCode, r.Output + r.Error);
    }

    /// <summary>Starts a long-running program in a namespace; it is killed by PID when the lab is disposed.</summary>
    public Process Spawn(string ns, params string[] argv)
    {
        var psi = new ProcessStartInfo("/usr/sbin/ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(argv)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _processes.Add(p);
        return p;
    }

    private async Task IpAsync(params string[] args)
    {
        var r = await new CommandRunner(new HostNetworkOptions { StateFolder = StateFolder }).RunAsync("/usr/sbin/ip", args, CancellationToken.None, allowFailure: true);
        Assert.SkipWhen(r.ExitCode != 0 && args[0] == "netns" && args[1] == "add", $"cannot create a network namespace here: {r.Error.Trim()}");
        if (r.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        // dnsmasq daemons the lab's networks started: stopped by the PIDs in their pid files.
        var dnsmasq = Path.Combine(StateFolder, "dnsmasq");
        if (Directory.Exists(dnsmasq))
            foreach (var network in Directory.GetDirectories(dnsmasq))
                await new Dhcp.DnsmasqServer(Runner, Options).StopAsync(Path.GetFileName(network), CancellationToken.None);
        foreach (var ns in _namespaces.AsEnumerable().Reverse())
            await new CommandRunner(new HostNetworkOptions { StateFolder = StateFolder }).RunAsync("/usr/sbin/ip", ["netns", "del", ns], CancellationToken.None, allowFailure: true);
        try { Directory.Delete(StateFolder, recursive: true); } catch (IOException) { }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
