using System.Collections.Concurrent;
using Octopus.Domain.Vms;

namespace Octopus.Application.Control;

/// <summary>The latest CPU load seen for each VM, and a short per-VM history with one sample per consolidation
/// interval (what the consolidation engine's detectors and forecasts read). Kept in memory: readings, not state to
/// recover; after a restart the history fills again.</summary>
public sealed class TelemetryCache
{
    public const int HistoryLength = 30;
    private readonly ConcurrentDictionary<VmId, double> _vmLoad = new();
    private readonly ConcurrentDictionary<VmId, Queue<double>> _history = new();

    public double VmLoad(VmId vm) => _vmLoad.GetValueOrDefault(vm);

    public void Set(VmId vm, double load) => _vmLoad[vm] = load;

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<double> History(VmId vm)
    {
        if (!_history.TryGetValue(vm, out var q)) return [];
        lock (q) return [.. q];
    }

    /// <summary>Appends every VM's current load to its history (called once per consolidation interval).</summary>
    public void CloseInterval()
    {
        foreach (var (vm, load) in _vmLoad)
        {
            var q = _history.GetOrAdd(vm, _ => new Queue<double>(HistoryLength));
            lock (q)
            {
                if (q.Count == HistoryLength) q.Dequeue();
                q.Enqueue(load);
            }
        }
    }

    public void Forget(IEnumerable<VmId> keep)
    {
        var alive = keep.ToHashSet();
        foreach (var k in _vmLoad.Keys) if (!alive.Contains(k)) _vmLoad.TryRemove(k, out _);
        foreach (var k in _history.Keys) if (!alive.Contains(k)) _history.TryRemove(k, out _);
    }
}
