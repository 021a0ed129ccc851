using Octopus.Domain.Hosts;

namespace Octopus.Drivers;

/// <summary>Switches one kind of host on and off (simulated, IPMI, Redfish, Wake-on-LAN, …). Separate from
/// <see cref="INodeDriver"/>: a node's hypervisor cannot switch its own machine on. Both calls are idempotent.</summary>
public interface IHostPowerDriver
{
    Task PowerOnAsync(HostId host, CancellationToken ct);

    /// <summary>Powers a host off. The caller guarantees the host holds no running VM.</summary>
    Task PowerOffAsync(HostId host, CancellationToken ct);
}

/// <summary>Finds how a host is switched.</summary>
public interface IPowerDriverResolver
{
    /// <summary>The power driver of <paramref name="host"/>; throws <see cref="DriverException"/> when it has none.</summary>
    IHostPowerDriver For(HostId host);
}
