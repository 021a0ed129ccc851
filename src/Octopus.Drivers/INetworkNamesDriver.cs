namespace Octopus.Drivers;

/// <summary>DNS names of a whole network on a node: a capability of a node driver apart from <see cref="INodeDriver"/>.
/// A node learns its own VMs' names from their runtime specs; the names of the network's VMs on other nodes reach it
/// through this call, so <c>NAME.DOMAIN</c> resolves from every host. The operation runner is its only caller (operation
/// <c>PublishNames</c>, journaled when a VM with NICs is created, migrated or deleted).</summary>
public interface INetworkNamesDriver
{
    /// <summary>Makes the node's DNS for <paramref name="network"/> answer exactly <paramref name="names"/> (every NIC on
    /// the network, on any node) besides its own NICs, and keeps that for later. Idempotent; a node with no NIC on the
    /// network keeps the list for when it gets one.</summary>
    Task PublishNamesAsync(string network, IReadOnlyList<NetworkHostName> names, CancellationToken ct);
}

/// <summary>One name on a network: <c>HostName.DOMAIN</c> ↔ <see cref="Ip"/>.</summary>
public sealed record NetworkHostName(string Ip, string HostName);
