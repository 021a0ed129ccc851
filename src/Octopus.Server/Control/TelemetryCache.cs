using System.Collections.Concurrent;
using Octopus.Domain.Vms;

namespace Octopus.Server.Control;

/// <summary>The latest CPU load seen for each VM. Kept in memory: it is a reading, not state to recover.</summary>
public sealed class TelemetryCache
{
    private readonly ConcurrentDictionary<VmId, double> _vmLoad = new();

    public double VmLoad(VmId vm) => _vmLoad.GetValueOrDefault(vm);

    public void Set(VmId vm, double load) => _vmLoad[vm] = load;

    public void Forget(IEnumerable<VmId> keep)
    {
        var alive = keep.ToHashSet();
        foreach (var k in _vmLoad.Keys) if (!alive.Contains(k)) _vmLoad.TryRemove(k, out _);
    }
}
