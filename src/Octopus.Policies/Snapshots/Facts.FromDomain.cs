using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Policies.Snapshots;

/// <summary>Builds the snapshot records from the domain types, so the server's snapshot code is one line per entity.</summary>
public static class PolicyFacts
{
    /// <summary>A VM as policies see it. <paramref name="owner"/> is the owner's name (the domain VM holds only the id).</summary>
    public static VmFacts From(Vm vm, UserName owner, CpuHistory? cpu = null, IReadOnlyList<CheckpointInfo>? checkpoints = null)
    {
        ArgumentNullException.ThrowIfNull(vm);
        return new VmFacts(vm.Id, vm.Name.Value, owner, vm.State, vm.Tags.ToArray(), vm.Geometry.Image.Value, vm.HostId, vm.CreatedAt,
            vm.StateChangedAt, vm.LeaseExpiresAt, cpu ?? CpuHistory.Empty, vm.Geometry.Cores, vm.Geometry.Memory.Bytes, checkpoints);
    }

    public static HostFacts From(Host host, CpuHistory? cpu = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new HostFacts(host.Id, host.Name, host.PowerState, host.Maintenance, cpu ?? CpuHistory.Empty);
    }

    public static UserFacts From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new UserFacts(user.Name, user.Role);
    }
}
