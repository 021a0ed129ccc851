using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement;

/// <summary>Immutable view of one host as placement sees it: what it has, what it has handed out, and whether it
/// takes VMs at all. The server builds these from its store; placement never touches the store.</summary>
public sealed record HostView(HostId Id, string Name, HostCapacity Capacity, HostAllocation Allocated,
    HostPowerState PowerState, bool Maintenance, CpuLoad Load)
{
    /// <summary>Cores not yet handed out; negative when the host is overcommitted.</summary>
    public int FreeCores => Capacity.Cores - Allocated.Cores;

    /// <summary>Memory not yet handed out; negative when the host is overcommitted.</summary>
    public ByteSize FreeMemory => new(Capacity.Memory.Bytes - Allocated.Memory.Bytes);

    /// <summary>Disk not yet handed out; negative when the host is overcommitted.</summary>
    public ByteSize FreeDisk => new(Capacity.Disk.Bytes - Allocated.Disk.Bytes);

    /// <summary>The view of a stored host, given what its VMs hold.</summary>
    public static HostView Of(Host host, HostAllocation allocated)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new HostView(host.Id, host.Name, host.Capacity, allocated, host.PowerState, host.Maintenance, host.Load);
    }
}
