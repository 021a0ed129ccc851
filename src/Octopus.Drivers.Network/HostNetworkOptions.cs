namespace Octopus.Drivers.Network;

/// <summary>Where a node's networking runs and keeps its files.</summary>
public sealed record HostNetworkOptions
{
    /// <summary>Run every command inside this network namespace (<c>ip netns exec NS …</c>); null for the host's own.
    /// The tests make namespaces that act as hosts.</summary>
    public string? Namespace { get; init; }

    /// <summary>Folder for dnsmasq's configuration, host files, leases, logs and pid files (one subfolder per network).
    /// Must be readable by the unprivileged user dnsmasq drops to.</summary>
    public required string StateFolder { get; init; }

    public string IpPath { get; init; } = "/usr/sbin/ip";
    public string NftPath { get; init; } = "/usr/sbin/nft";
    public string DnsmasqPath { get; init; } = "/usr/sbin/dnsmasq";

    /// <summary>The unprivileged user and group dnsmasq runs as once it has opened its sockets.</summary>
    public string DnsmasqUser { get; init; } = "nobody";
    public string DnsmasqGroup { get; init; } = "nogroup";

    /// <summary>Longest one command may take before it is killed and reported.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
