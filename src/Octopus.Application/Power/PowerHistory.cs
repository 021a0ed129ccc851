using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Power;

/// <summary>The cluster's power history in the store (table <c>PowerHistory</c>): telemetry readings aggregated into
/// fixed buckets (10 s by default), buckets older than the retention (24 h by default) pruned as new ones are written.
/// Energy is integrated per reading: the previous reading's draw is held until this one (left Riemann sum), and a gap
/// longer than <see cref="PowerHistoryOptions.MaxGap"/> (server stopped, control loop stalled) adds no energy rather
/// than guessing. The previous reading is kept in the store too (setting <see cref="SettingKeys.PowerLastReading"/>),
/// so a restart, or another server process, continues the same history. Each <see cref="Record"/> is one transaction
/// over one bucket row and that setting.</summary>
public sealed class PowerHistory
{
    private readonly IDbContextFactory<OctopusDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly PowerHistoryOptions _options;
    private readonly Lock _gate = new();

    public PowerHistory(IDbContextFactory<OctopusDbContext> contexts, TimeProvider time) : this(contexts, time, new PowerHistoryOptions()) { }

    public PowerHistory(IDbContextFactory<OctopusDbContext> contexts, TimeProvider time, PowerHistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _contexts = contexts;
        _time = time;
        _options = options;
    }

    public PowerHistoryOptions Options => _options;

    /// <summary>The latest reading, or null before the first one.</summary>
    public PowerReading? Latest
    {
        get
        {
            using var db = _contexts.CreateDbContext();
            return ReadLast(db)?.Reading;
        }
    }

    /// <summary>Adds one reading taken now.</summary>
    public void Record(PowerReading reading)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            using var db = _contexts.CreateDbContext();
            using var tx = db.Database.BeginTransaction();
            var last = ReadLast(db);
            var seconds = last is { } l && now > l.At && now - l.At <= _options.MaxGap ? (now - l.At).TotalSeconds : 0;
            var start = StartOf(BucketNumber(now));
            var b = db.PowerHistory.FirstOrDefault(p => p.Start == start);
            if (b is null)
            {
                db.PowerHistory.Add(b = new PowerBucketRecord { Start = start });
                // A new bucket: drop the ones that fell out of the retention (one indexed delete per bucket length).
                var cutoff = start - _options.Retention;
                db.PowerHistory.Where(p => p.Start <= cutoff).ExecuteDelete();
            }
            b.Samples++;
            b.WattsSum += reading.Watts.Value;
            b.AllOnSum += reading.AllOnWatts.Value;
            b.ActiveSum += reading.ActiveHosts;
            b.ActiveMax = Math.Max(b.ActiveMax, reading.ActiveHosts);
            b.Hosts = Math.Max(b.Hosts, reading.Hosts);
            b.Joules += (last?.Reading.Watts.Value ?? 0) * seconds;
            b.AllOnJoules += (last?.Reading.AllOnWatts.Value ?? 0) * seconds;
            WriteLast(db, new Last(now, reading), now);
            db.SaveChanges();
            tx.Commit();
        }
    }

    /// <summary>The last <paramref name="window"/> (at most the retention) as at most <paramref name="maxPoints"/>
    /// points of whole buckets, oldest first; steps with no reading are left out (the chart shows a gap).</summary>
    public PowerHistoryView Query(TimeSpan window, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        if (window <= TimeSpan.Zero || window > _options.Retention) throw new ArgumentOutOfRangeException(nameof(window));
        var now = _time.GetUtcNow();
        var bucketCount = (int)Math.Ceiling(window.Ticks / (double)_options.BucketLength.Ticks);
        var perPoint = Math.Max(1, (int)Math.Ceiling(bucketCount / (double)maxPoints));
        var lastNumber = BucketNumber(now);
        var retained = (int)(_options.Retention.Ticks / _options.BucketLength.Ticks);
        // Align points to multiples of perPoint buckets so a point covers the same buckets from one query to the next.
        var firstNumber = (lastNumber - bucketCount + 1) / perPoint * perPoint;
        firstNumber = Math.Max(firstNumber, lastNumber - retained + 1);

        Dictionary<long, PowerBucketRecord> buckets;
        Last? latest;
        using (var db = _contexts.CreateDbContext())
        {
            var (from, to) = (StartOf(firstNumber), StartOf(lastNumber));
            buckets = db.PowerHistory.AsNoTracking().Where(p => p.Start >= from && p.Start <= to).ToList()
                .ToDictionary(p => BucketNumber(p.Start));
            latest = ReadLast(db);
        }

        var points = new List<PowerPoint>();
        double joules = 0, allOnJoules = 0;
        for (var start = firstNumber; start <= lastNumber; start += perPoint)
        {
            var acc = new PowerBucketRecord();
            for (var n = start; n < start + perPoint && n <= lastNumber; n++)
            {
                if (!buckets.TryGetValue(n, out var b) || b.Samples == 0) continue;
                acc.Samples += b.Samples;
                acc.WattsSum += b.WattsSum;
                acc.AllOnSum += b.AllOnSum;
                acc.ActiveSum += b.ActiveSum;
                acc.ActiveMax = Math.Max(acc.ActiveMax, b.ActiveMax);
                acc.Hosts = Math.Max(acc.Hosts, b.Hosts);
                acc.Joules += b.Joules;
                acc.AllOnJoules += b.AllOnJoules;
            }
            if (acc.Samples == 0) continue;
            joules += acc.Joules;
            allOnJoules += acc.AllOnJoules;
            points.Add(new PowerPoint(StartOf(start), acc.WattsSum / acc.Samples, acc.AllOnSum / acc.Samples,
                acc.ActiveSum / acc.Samples, acc.ActiveMax, acc.Hosts));
        }
        return new PowerHistoryView(StartOf(firstNumber), now, _options.BucketLength * perPoint, points, joules, allOnJoules, latest?.Reading);
    }

    private long BucketNumber(DateTimeOffset at) => at.UtcTicks / _options.BucketLength.Ticks;

    private DateTimeOffset StartOf(long number) => new(number * _options.BucketLength.Ticks, TimeSpan.Zero);

    private static Last? ReadLast(OctopusDbContext db)
    {
        var text = db.Settings.AsNoTracking().Where(s => s.Key == SettingKeys.PowerLastReading).Select(s => s.Value).FirstOrDefault();
        if (text is null) return null;
        try { return JsonSerializer.Deserialize<Last>(text); }
        catch (JsonException) { return null; } // a damaged reading only costs one interval's energy
    }

    private static void WriteLast(OctopusDbContext db, Last last, DateTimeOffset now)
    {
        var value = JsonSerializer.Serialize(last);
        var row = db.Settings.FirstOrDefault(s => s.Key == SettingKeys.PowerLastReading);
        if (row is null) db.Settings.Add(new SettingRecord { Key = SettingKeys.PowerLastReading, Value = value, UpdatedAt = now, Version = 1 });
        else
        {
            row.Value = value;
            row.UpdatedAt = now;
            row.Version++;
        }
    }

    private sealed record Last(DateTimeOffset At, PowerReading Reading);
}

/// <summary>Sizes of the <see cref="PowerHistory"/>.</summary>
public sealed record PowerHistoryOptions
{
    /// <summary>Length of one bucket; from 1 s to 1 h, and a divisor of <see cref="Retention"/>. Default 10 s.</summary>
    public TimeSpan BucketLength { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How far back the history reaches; at most 7 days. Default 24 h (8 640 buckets of 10 s).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>A longer silence between two readings adds no energy. Default 60 s.</summary>
    public TimeSpan MaxGap { get; init; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (BucketLength < TimeSpan.FromSeconds(1) || BucketLength > TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(BucketLength), BucketLength, "must be from 1 s to 1 h");
        if (Retention < BucketLength || Retention > TimeSpan.FromDays(7) || Retention.Ticks % BucketLength.Ticks != 0)
            throw new ArgumentOutOfRangeException(nameof(Retention), Retention, "must be a whole number of buckets, at most 7 days");
        if (MaxGap <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxGap), MaxGap, "must be positive");
    }
}

/// <summary>One point of a <see cref="PowerHistoryView"/>: means over its step.</summary>
public sealed record PowerPoint(DateTimeOffset At, double Watts, double AllOnWatts, double ActiveHosts, int MaxActiveHosts, int Hosts);

/// <summary>The answer of <see cref="PowerHistory.Query"/>: points and the energy over the window, in joules.</summary>
public sealed record PowerHistoryView(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, IReadOnlyList<PowerPoint> Points,
    double Joules, double AllOnJoules, PowerReading? Latest)
{
    public double SavedJoules => AllOnJoules - Joules;

    /// <summary>Saving as a percentage of the baseline (0 when there is no baseline yet).</summary>
    public double SavedPercent => AllOnJoules <= 0 ? 0 : SavedJoules / AllOnJoules * 100;
}
