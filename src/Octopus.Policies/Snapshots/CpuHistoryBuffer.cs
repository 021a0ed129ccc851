using System.Collections.Concurrent;

namespace Octopus.Policies.Snapshots;

/// <summary>Keeps recent CPU readings per VM or host so the server can put a <see cref="CpuHistory"/> in each snapshot
/// (the conditions' vm.cpu.avg(2h) needs two hours of samples). Thread-safe; bounded per key by age and by count, so a
/// long-running server holds at most <see cref="MaxSamples"/> readings per VM. Mutable runtime state, kept apart from the
/// pure engine: the server owns one and feeds it from its telemetry pass.</summary>
public sealed class CpuHistoryBuffer<TKey>(TimeSpan retention, int maxSamples = 2880) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Queue<CpuSample>> _samples = new();

    /// <summary>How far back readings are kept (e.g. 24 h: the longest window a policy may ask for).</summary>
    public TimeSpan Retention { get; } = retention > TimeSpan.Zero ? retention : throw new ArgumentOutOfRangeException(nameof(retention));

    public int MaxSamples { get; } = maxSamples > 0 ? maxSamples : throw new ArgumentOutOfRangeException(nameof(maxSamples));

    /// <summary>Adds a reading; readings older than <see cref="Retention"/> before it are dropped.</summary>
    public void Record(TKey key, DateTimeOffset at, double percent)
    {
        if (!double.IsFinite(percent) || percent < 0) return; // a broken reading is not a fact
        var queue = _samples.GetOrAdd(key, _ => new Queue<CpuSample>());
        lock (queue)
        {
            queue.Enqueue(new CpuSample(at, percent));
            while (queue.Count > MaxSamples || (queue.Count > 0 && queue.Peek().At < at - Retention)) queue.Dequeue();
        }
    }

    /// <summary>The readings of <paramref name="key"/> as a history (empty when none).</summary>
    public CpuHistory History(TKey key)
    {
        if (!_samples.TryGetValue(key, out var queue)) return CpuHistory.Empty;
        lock (queue) return CpuHistory.From(queue.ToArray());
    }

    /// <summary>Drops every key not in <paramref name="keep"/> (deleted VMs, removed hosts).</summary>
    public void Forget(IEnumerable<TKey> keep)
    {
        var alive = keep.ToHashSet();
        foreach (var k in _samples.Keys) if (!alive.Contains(k)) _samples.TryRemove(k, out _);
    }
}
