using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Operations;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Control;

/// <summary>How far each running operation has got (0–1, as its driver reports it) and, for a finished migration, what
/// it cost — kept in the store (<see cref="OperationFiguresRecord"/>), so that every replica answers a client polling
/// for progress the same way, and a finished migration's figures outlive the process that ran it. A driver reports
/// several times a second; the row is written at the start, at most every <see cref="WriteEvery"/> while reports come
/// (the latest value wins), and at the end. Writes run in the leader's flow and are fenced by its term like its other
/// writes; a write that fails is logged and the next one carries the newer figures.</summary>
public sealed partial class OperationProgressStore(IDbContextFactory<OctopusDbContext> contexts, TimeProvider time, ILogger<OperationProgressStore> log)
{
    /// <summary>The least time between two progress writes of one operation.</summary>
    public static readonly TimeSpan WriteEvery = TimeSpan.FromMilliseconds(500);

    private TimeProvider Clock => time;
    private ILogger Log => log;

    /// <summary>The figures of one operation, or null when none were recorded for it.</summary>
    public async Task<OperationFigures?> GetAsync(OperationId id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.OperationFigures.AsNoTracking().FirstOrDefaultAsync(f => f.OperationId == id, ct);
        return row is null ? null : new OperationFigures(row.Progress, row.StartedAt, row.EndedAt,
            row.TotalMilliseconds is { } t ? TimeSpan.FromMilliseconds(t) : null, row.DowntimeMilliseconds is { } d ? TimeSpan.FromMilliseconds(d) : null);
    }

    /// <summary>Starts following an operation (a run again after a restart starts from 0); returns the reporter to hand
    /// to the driver, which <see cref="EndAsync"/> closes.</summary>
    public async Task<Reporter> BeginAsync(OperationId id, CancellationToken ct)
    {
        var figures = new OperationFigures(0, time.GetUtcNow(), null, null, null);
        await WriteAsync(id, figures, ct);
        return new Reporter(this, id, figures);
    }

    /// <summary>Records the end: progress 1 when it succeeded, and the wall time since <see cref="BeginAsync"/> unless
    /// the driver reported its own.</summary>
    public async Task EndAsync(Reporter reporter, bool succeeded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        var now = time.GetUtcNow();
        var last = await reporter.CloseAsync();
        await WriteAsync(reporter.Operation, last with
        {
            Progress = succeeded ? 1 : last.Progress, EndedAt = now, Total = last.Total ?? now - last.StartedAt,
        }, ct);
    }

    private async Task WriteAsync(OperationId id, OperationFigures f, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.OperationFigures.FirstOrDefaultAsync(r => r.OperationId == id, ct);
        if (row is null) db.OperationFigures.Add(row = new OperationFiguresRecord { OperationId = id });
        row.Progress = f.Progress;
        row.StartedAt = f.StartedAt;
        row.EndedAt = f.EndedAt;
        row.TotalMilliseconds = f.Total?.TotalMilliseconds;
        row.DowntimeMilliseconds = f.Downtime?.TotalMilliseconds;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>What a driver reports to: progress fractions (clamped to 0–1, never going back) and, at the end of a
    /// migration, its <see cref="MigrationStats"/>. Reports never block the driver: the newest figures are written by
    /// one background write at a time, at most every <see cref="WriteEvery"/>.</summary>
    public sealed class Reporter : IProgress<double>, IProgress<MigrationStats>
    {
        private readonly OperationProgressStore _store;
        private readonly Lock _gate = new();
        private OperationFigures _current;
        private bool _dirty, _closed;
        private Task? _writing;
        private long _lastWrite;
        private readonly CancellationTokenSource _closing = new();

        internal Reporter(OperationProgressStore store, OperationId id, OperationFigures start)
        {
            _store = store;
            Operation = id;
            _current = start;
            _lastWrite = store.Clock.GetTimestamp();
        }

        public OperationId Operation { get; }

        public void Report(double value)
        {
            if (double.IsNaN(value)) return;
            var v = Math.Clamp(value, 0, 1);
            Change(f => f.Progress is { } p && p >= v ? f : f with { Progress = v });
        }

        public void Report(MigrationStats value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Change(f => f with { Total = value.Total ?? f.Total, Downtime = value.Downtime });
        }

        private void Change(Func<OperationFigures, OperationFigures> change)
        {
            lock (_gate)
            {
                if (_closed) return;
                var next = change(_current);
                if (next == _current) return;
                _current = next;
                _dirty = true;
                _writing ??= Task.Run(WriteLoopAsync);
            }
        }

        private async Task WriteLoopAsync()
        {
            while (true)
            {
                var wait = WriteEvery - _store.Clock.GetElapsedTime(_lastWrite);
                // The pause between writes ends early when the operation ends: EndAsync writes the last figures itself, and
                // must not wait out the pause (nor a clock that does not move, as tests' manual clocks do not).
                if (wait > TimeSpan.Zero)
                {
                    try { await Task.Delay(wait, _store.Clock, _closing.Token); }
                    catch (OperationCanceledException) { }
                }
                OperationFigures figures;
                lock (_gate)
                {
                    if (!_dirty || _closed)
                    {
                        _writing = null;
                        return;
                    }
                    _dirty = false;
                    figures = _current;
                }
                try { await _store.WriteAsync(Operation, figures, CancellationToken.None); }
                catch (Exception e) { LogWriteFailed(_store.Log, Operation.ToString(), e.Message); }
                _lastWrite = _store.Clock.GetTimestamp();
            }
        }

        /// <summary>Stops taking reports, waits for a write in flight, and returns the last figures.</summary>
        internal async Task<OperationFigures> CloseAsync()
        {
            Task? writing;
            lock (_gate)
            {
                _closed = true;
                writing = _writing;
            }
            await _closing.CancelAsync();
            if (writing is not null) await writing;
            _closing.Dispose();
            lock (_gate) return _current;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not record the progress of operation {Operation}: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string operation, string error);
}

/// <summary>One operation's progress (null: unknown), when its run started and ended, and what it cost.</summary>
public sealed record OperationFigures(double? Progress, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, TimeSpan? Total, TimeSpan? Downtime);
