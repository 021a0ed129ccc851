using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;

namespace Octopus.Policies.Evaluation;

/// <summary>Something that happened, for event-triggered policies: which kind, and the VM or host it concerns.</summary>
public sealed record PolicyEvent(PolicyEventKind Kind, VmId? Vm = null, HostId? Host = null)
{
    public static PolicyEvent VmStateChanged(VmId vm) => new(PolicyEventKind.VmStateChanged, Vm: vm);
    public static PolicyEvent HostFailed(HostId host) => new(PolicyEventKind.HostFailed, Host: host);
    public static PolicyEvent LeaseExpiring(VmId vm) => new(PolicyEventKind.LeaseExpiring, Vm: vm);
}
