using System.Collections.Concurrent;
using Octopus.Domain.Operations;
using Octopus.Drivers;

namespace Octopus.Application.Control;

/// <summary>How far each running operation has got (0–1, as its driver reports it) and, for a finished migration, what
/// it cost. Kept in memory, not in the store: progress only means something while this process runs the operation (an
/// operation interrupted by a restart runs again from the start), so the database is not written several times a second.
/// Finished entries are kept for <see cref="Retention"/> so a client polling for the result still finds them.</summary>
public sealed class OperationProgressStore(TimeProvider time)
{
    /// <summary>How long a finished operation's figures stay readable.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<OperationId, OperationFigures> _entries = new();

    /// <summary>The figures of one operation, or null when this process has none for it.</summary>
    public OperationFigures? Get(OperationId id) => _entries.GetValueOrDefault(id);

    /// <summary>Starts following an operation; returns the reporter to hand to the driver.</summary>
    public Reporter Begin(OperationId id)
    {
        Prune();
        _entries[id] = new OperationFigures(0, time.GetUtcNow(), null, null, null);
        return new Reporter(this, id);
    }

    /// <summary>Records the end: the wall time since <see cref="Begin"/> unless the driver reported its own.</summary>
    public void End(OperationId id, bool succeeded)
    {
        var now = time.GetUtcNow();
        _entries.AddOrUpdate(id, _ => new OperationFigures(succeeded ? 1 : null, now, now, null, null),
            (_, f) => f with { Progress = succeeded ? 1 : f.Progress, EndedAt = now, Total = f.Total ?? now - f.StartedAt });
    }

    private void Update(OperationId id, Func<OperationFigures, OperationFigures> change)
    {
        while (_entries.TryGetValue(id, out var f) && !_entries.TryUpdate(id, change(f), f)) { }
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - Retention;
        foreach (var (id, f) in _entries)
            if (f.EndedAt is { } e && e < cutoff) _entries.TryRemove(id, out _);
        if (_entries.Count < MaxEntries) return;
        foreach (var (id, _) in _entries.Where(e => e.Value.EndedAt is not null).OrderBy(e => e.Value.EndedAt).Take(_entries.Count - MaxEntries + 1).ToList())
            _entries.TryRemove(id, out _);
    }

    /// <summary>What a driver reports to: progress fractions (clamped to 0–1, never going back) and, at the end of a
    /// migration, its <see cref="MigrationStats"/>.</summary>
    public sealed class Reporter(OperationProgressStore store, OperationId id) : IProgress<double>, IProgress<MigrationStats>
    {
        public void Report(double value)
        {
            if (double.IsNaN(value)) return;
            var v = Math.Clamp(value, 0, 1);
            store.Update(id, f => f.Progress is { } p && p >= v ? f : f with { Progress = v });
        }

        public void Report(MigrationStats value) => store.Update(id, f => f with { Total = value.Total ?? f.Total, Downtime = value.Downtime });
    }
}

/// <summary>One operation's progress (null: unknown), when this process started and ended it, and what it cost.</summary>
public sealed record OperationFigures(double? Progress, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, TimeSpan? Total, TimeSpan? Downtime);
