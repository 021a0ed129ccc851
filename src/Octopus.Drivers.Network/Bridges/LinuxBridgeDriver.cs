using System.Text.Json;
using Octopus.Domain.Networks;
using Octopus.Drivers.Network.Processes;

namespace Octopus.Drivers.Network.Bridges;

/// <summary>Creates a network's bridge and its NICs' taps with <c>ip link</c>. Every call is idempotent: it looks at
/// what exists and only adds what is missing, so an agent can re-apply its desired state after a restart.</summary>
public sealed class LinuxBridgeDriver(ICommandRunner run, HostNetworkOptions options)
{
    /// <summary>Makes <paramref name="bridge"/> exist and be up, with <paramref name="address"/> (the host's address in
    /// the network, e.g. 10.77.0.1/24) on it when given, and, for a VLAN network, the tagged sub-interface
    /// <c>UPLINK.VLAN</c> of <paramref name="uplink"/> as a port.</summary>
    public async Task EnsureBridgeAsync(BridgeName bridge, string? address, CancellationToken ct, string? uplink = null, int? vlan = null)
    {
        if (!await ExistsAsync(bridge.Value, ct))
            await Ip(ct, "link", "add", "name", bridge.Value, "type", "bridge");
        if (address is not null)
        {
            var existing = await AddressesAsync(bridge.Value, ct);
            if (!existing.Contains(address, StringComparer.Ordinal)) await Ip(ct, "addr", "add", address, "dev", bridge.Value);
        }
        if (uplink is not null && vlan is { } tag)
        {
            var sub = $"{uplink}.{tag}";
            if (sub.Length > 15) throw new DriverException($"the VLAN interface name {sub} is longer than 15 characters; use a shorter uplink name.");
            if (!await ExistsAsync(sub, ct)) await Ip(ct, "link", "add", "link", uplink, "name", sub, "type", "vlan", "id", tag.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Ip(ct, "link", "set", sub, "master", bridge.Value);
            await Ip(ct, "link", "set", sub, "up");
        }
        await Ip(ct, "link", "set", bridge.Value, "up");
    }

    /// <summary>Makes the tap <paramref name="tap"/> exist (persistent, so QEMU can open it later) and be a port of
    /// <paramref name="bridge"/>, up.</summary>
    public async Task EnsureTapAsync(string tap, BridgeName bridge, CancellationToken ct)
    {
        CheckName(tap);
        if (!await ExistsAsync(tap, ct)) await Ip(ct, "tuntap", "add", "dev", tap, "mode", "tap");
        await AttachAsync(tap, bridge, ct);
    }

    /// <summary>Makes an existing interface (a tap, or a veth end) a port of <paramref name="bridge"/>, up.</summary>
    public async Task AttachAsync(string port, BridgeName bridge, CancellationToken ct)
    {
        CheckName(port);
        await Ip(ct, "link", "set", port, "master", bridge.Value);
        await Ip(ct, "link", "set", port, "up");
    }

    /// <summary>Removes the tap; nothing happens when it is already gone.</summary>
    public async Task RemoveTapAsync(string tap, CancellationToken ct)
    {
        CheckName(tap);
        if (await ExistsAsync(tap, ct)) await Ip(ct, "link", "del", tap);
    }

    /// <summary>The bridge an interface is a port of, or null (missing, or no bridge).</summary>
    public async Task<string?> MasterOfAsync(string port, CancellationToken ct)
    {
        var r = await run.RunAsync(options.IpPath, ["-j", "link", "show", "dev", port], ct, allowFailure: true);
        if (r.ExitCode != 0) return null;
        using var doc = JsonDocument.Parse(r.Output);
        return doc.RootElement[0].TryGetProperty("master", out var m) ? m.GetString() : null;
    }

    /// <summary>True when the tap exists and a process holds it open: the kernel shows its carrier (LOWER_UP) only while
    /// its file descriptor is attached (the taps this driver makes are always up).</summary>
    public async Task<bool> IsOpenAsync(string tap, CancellationToken ct)
    {
        CheckName(tap);
        var r = await run.RunAsync(options.IpPath, ["-j", "link", "show", "dev", tap], ct, allowFailure: true);
        if (r.ExitCode != 0) return false;
        using var doc = JsonDocument.Parse(r.Output);
        return doc.RootElement[0].TryGetProperty("flags", out var flags)
            && flags.EnumerateArray().Any(f => f.GetString() == "LOWER_UP");
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken ct) =>
        (await run.RunAsync(options.IpPath, ["link", "show", "dev", name], ct, allowFailure: true)).ExitCode == 0;

    private async Task<IReadOnlyList<string>> AddressesAsync(string dev, CancellationToken ct)
    {
        var r = await run.RunAsync(options.IpPath, ["-j", "addr", "show", "dev", dev], ct);
        using var doc = JsonDocument.Parse(r.Output);
        var list = new List<string>();
        foreach (var link in doc.RootElement.EnumerateArray())
            if (link.TryGetProperty("addr_info", out var infos))
                foreach (var a in infos.EnumerateArray())
                    list.Add($"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}");
        return list;
    }

    /// <summary>A tap's name is an interface name too: 1–15 characters, no '/' or whitespace.</summary>
    private static void CheckName(string name)
    {
        if (name.Length is 0 or > 15 || name.Any(c => c == '/' || char.IsWhiteSpace(c)))
            throw new DriverException($"'{name}' is not a valid interface name (1-15 characters, no '/' or spaces).");
    }

    private Task<CommandResult> Ip(CancellationToken ct, params string[] args) => run.RunAsync(options.IpPath, args, ct);
}
