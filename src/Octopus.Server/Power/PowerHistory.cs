namespace Octopus.Server.Power;

/// <summary>A bounded in-memory history of the cluster's power: telemetry readings aggregated into fixed buckets
/// (10 s by default) in a ring that keeps the last 24 h; older buckets are overwritten. Energy is integrated per
/// reading: the previous reading's draw is held until this one (left Riemann sum), and a gap longer than
/// <see cref="PowerHistoryOptions.MaxGap"/> (server stopped, control loop stalled) adds no energy rather than guessing.
/// Readings, not state to recover: a restart starts an empty history. Thread-safe.</summary>
public sealed class PowerHistory
{
    private readonly TimeProvider _time;
    private readonly PowerHistoryOptions _options;
    private readonly Bucket[] _ring;
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastAt;
    private PowerReading _last;

    public PowerHistory(TimeProvider time) : this(time, new PowerHistoryOptions()) { }

    public PowerHistory(TimeProvider time, PowerHistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = time;
        _options = options;
        _ring = new Bucket[(int)(options.Retention.Ticks / options.BucketLength.Ticks)];
    }

    public PowerHistoryOptions Options => _options;

    /// <summary>The latest reading, or null before the first one.</summary>
    public PowerReading? Latest
    {
        get { lock (_gate) return _lastAt is null ? null : _last; }
    }

    /// <summary>Adds one reading taken now.</summary>
    public void Record(PowerReading reading)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var seconds = _lastAt is { } last && now > last && now - last <= _options.MaxGap ? (now - last).TotalSeconds : 0;
            var number = BucketNumber(now);
            ref var b = ref _ring[Slot(number)];
            if (b.Number != number || b.Samples == 0) b = new Bucket { Number = number };
            b.Samples++;
            b.WattsSum += reading.Watts.Value;
            b.AllOnSum += reading.AllOnWatts.Value;
            b.ActiveSum += reading.ActiveHosts;
            b.ActiveMax = Math.Max(b.ActiveMax, reading.ActiveHosts);
            b.Hosts = Math.Max(b.Hosts, reading.Hosts);
            b.Joules += _last.Watts.Value * seconds;
            b.AllOnJoules += _last.AllOnWatts.Value * seconds;
            _last = reading;
            _lastAt = now;
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
        // Align points to multiples of perPoint buckets so a point covers the same buckets from one query to the next.
        var firstNumber = (lastNumber - bucketCount + 1) / perPoint * perPoint;
        firstNumber = Math.Max(firstNumber, lastNumber - _ring.Length + 1);

        var points = new List<PowerPoint>();
        double joules = 0, allOnJoules = 0;
        lock (_gate)
        {
            for (var start = firstNumber; start <= lastNumber; start += perPoint)
            {
                var acc = new Bucket { Number = start };
                for (var n = start; n < start + perPoint && n <= lastNumber; n++)
                {
                    var b = _ring[Slot(n)];
                    if (b.Number != n || b.Samples == 0) continue;
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
            return new PowerHistoryView(StartOf(firstNumber), now, _options.BucketLength * perPoint, points, joules, allOnJoules,
                _lastAt is null ? null : _last);
        }
    }

    private long BucketNumber(DateTimeOffset at) => at.UtcTicks / _options.BucketLength.Ticks;

    private DateTimeOffset StartOf(long number) => new(number * _options.BucketLength.Ticks, TimeSpan.Zero);

    private int Slot(long number) => (int)(((number % _ring.Length) + _ring.Length) % _ring.Length);

    private struct Bucket
    {
        public long Number;
        public int Samples;
        public double WattsSum;
        public double AllOnSum;
        public double ActiveSum;
        public int ActiveMax;
        public int Hosts;
        public double Joules;
        public double AllOnJoules;
    }
}

/// <summary>Sizes of the <see cref="PowerHistory"/> ring.</summary>
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
