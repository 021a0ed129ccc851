using Octopus.Drivers.Network.Processes;

namespace Octopus.Drivers.Network.Firewall;

/// <summary>Enforces every NIC's anti-spoofing and security group on this node with nftables: one table per node, one
/// chain pair and set pair per NIC (see <see cref="NftRuleset"/>). <see cref="ApplyAsync"/> replaces the whole table
/// atomically, so adding a NIC, removing one or changing a rule is the same call with the new desired state.</summary>
public sealed class NftablesFirewall(ICommandRunner run, HostNetworkOptions options)
{
    /// <summary>Makes the node's rules exactly <paramref name="nics"/> (empty: no NIC is filtered). Port names must be
    /// unique; a refused script changes nothing (nft applies it as one transaction).</summary>
    public async Task ApplyAsync(IReadOnlyList<NicFirewallSpec> nics, CancellationToken ct, UplinkFilter? uplink = null)
    {
        var duplicate = nics.GroupBy(n => n.Port, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DriverException($"port {duplicate.Key} appears twice in the firewall's NICs.");
        foreach (var n in nics)
            if (n.Port.Length is 0 or > 15 || n.Port.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new DriverException($"'{n.Port}' is not a port name nftables rules can name (1-15 letters, digits, '-', '_', '.').");
        foreach (var p in uplink?.Ports ?? [])
            if (p.Length is 0 or > 15 || p.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new DriverException($"'{p}' is not an uplink name nftables rules can name (1-15 letters, digits, '-', '_', '.').");
        await run.RunAsync(options.NftPath, ["-f", "-"], ct, stdin: NftRuleset.Render(nics, uplink));
    }

    /// <summary>Removes the node's table (no NIC filtered any more); nothing when it is absent.</summary>
    public async Task RemoveAsync(CancellationToken ct) =>
        await run.RunAsync(options.NftPath, ["-f", "-"], ct, stdin: $"table bridge {NftRuleset.Table} {{}}\ndelete table bridge {NftRuleset.Table}\n");

    /// <summary>The node's table as nft lists it (for operators and tests).</summary>
    public async Task<string> ListAsync(CancellationToken ct) =>
        (await run.RunAsync(options.NftPath, ["list", "table", "bridge", NftRuleset.Table], ct, allowFailure: true)).Output;
}
