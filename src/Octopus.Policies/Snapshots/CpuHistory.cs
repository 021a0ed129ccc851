using System.Numerics;

namespace Octopus.Policies.Snapshots;

/// <summary>CPU usage samples in percent (0–100 per VM of its vCPUs, or of a host's capacity), oldest first. Built once per
/// snapshot with prefix sums, so a window average costs a binary search, not a scan.</summary>
public sealed class CpuHistory
{
    private readonly long[] _ticks;
    private readonly double[] _percent;
    private readonly double[] _prefix; // _prefix[i] = sum of the first i samples

    public static CpuHistory Empty { get; } = new([], []);

    private CpuHistory(long[] ticks, double[] percent)
    {
        _ticks = ticks;
        _percent = percent;
        _prefix = new double[percent.Length + 1];
        for (var i = 0; i < percent.Length; i++) _prefix[i + 1] = _prefix[i] + percent[i];
    }

    /// <summary>Builds a history; samples need not be sorted. Percentages must be finite and not negative.</summary>
    public static CpuHistory From(IEnumerable<CpuSample> samples)
    {
        var sorted = samples.OrderBy(s => s.At).ToArray();
        foreach (var s in sorted)
            if (!double.IsFinite(s.Percent) || s.Percent < 0)
                throw new ArgumentException($"CPU sample at {s.At:u} is {s.Percent}; use a finite percentage of 0 or more.", nameof(samples));
        return new CpuHistory(sorted.Select(s => s.At.UtcTicks).ToArray(), sorted.Select(s => s.Percent + 0.0).ToArray()); // + 0.0: -0 becomes 0
    }

    public int Count => _ticks.Length;

    public IEnumerable<CpuSample> Samples =>
        _ticks.Select((t, i) => new CpuSample(new DateTimeOffset(t, TimeSpan.Zero), _percent[i]));

    /// <summary>The latest sample's value, or null with no samples.</summary>
    public double? Latest => _percent.Length == 0 ? null : _percent[^1];

    /// <summary>Whether the samples reach back over the whole of (now − window, now]: the oldest is at or before its start.
    /// Policies act on a window only when it is covered, so a VM started ten minutes ago is never "idle for two hours".</summary>
    public bool Covers(DateTimeOffset now, TimeSpan window) => _ticks.Length > 0 && _ticks[0] <= now.UtcTicks - window.Ticks;

    /// <summary>Mean of the samples taken in [now − window, now]; null when the window is not covered or holds none.</summary>
    public double? Average(DateTimeOffset now, TimeSpan window)
    {
        if (!Window(now, window, out var from, out var to)) return null;
        return (_prefix[to] - _prefix[from]) / (to - from);
    }

    /// <summary>Largest sample in [now − window, now]; null when not covered. Scans the window (<see cref="ScanCost"/>).</summary>
    public double? Max(DateTimeOffset now, TimeSpan window)
    {
        if (!Window(now, window, out var from, out var to)) return null;
        var m = double.MinValue;
        for (var i = from; i < to; i++) if (_percent[i] > m) m = _percent[i];
        return m;
    }

    /// <summary>Smallest sample in [now − window, now]; null when not covered.</summary>
    public double? Min(DateTimeOffset now, TimeSpan window)
    {
        if (!Window(now, window, out var from, out var to)) return null;
        var m = double.MaxValue;
        for (var i = from; i < to; i++) if (_percent[i] < m) m = _percent[i];
        return m;
    }

    /// <summary>How many samples fall in the window: the evaluation steps a max or min over it costs.</summary>
    public int ScanCost(DateTimeOffset now, TimeSpan window) => Window(now, window, out var from, out var to) ? to - from : 0;

    /// <summary>Time since the last sample at or above <paramref name="thresholdPercent"/>; when every sample is below it,
    /// time since the oldest sample (the history cannot see further back). Zero with no samples or a busy last sample.</summary>
    public TimeSpan IdleFor(DateTimeOffset now, double thresholdPercent)
    {
        if (_ticks.Length == 0) return TimeSpan.Zero;
        for (var i = _percent.Length - 1; i >= 0; i--)
            if (_percent[i] >= thresholdPercent) return TimeSpan.FromTicks(Math.Max(0, now.UtcTicks - _ticks[i]));
        return TimeSpan.FromTicks(Math.Max(0, now.UtcTicks - _ticks[0]));
    }

    /// <summary>Mean (0), max (1) or min (2) over the window in one pass, with its step cost (the samples a max or min
    /// scans; a mean costs none thanks to the prefix sums).</summary>
    internal double? Aggregate(DateTimeOffset now, TimeSpan window, int kind, out int cost)
    {
        cost = 0;
        if (!Window(now, window, out var from, out var to)) return null;
        if (kind == 0) return (_prefix[to] - _prefix[from]) / (to - from);
        cost = to - from;
        return kind == 1 ? Extreme(_percent.AsSpan(from, to - from), max: true) : Extreme(_percent.AsSpan(from, to - from), max: false);
    }

    /// <summary>Largest or smallest value of a non-empty span, several lanes at a time (the values are finite, and -0 was
    /// made 0 when the history was built, so the order of comparisons cannot change the result).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double Extreme(ReadOnlySpan<double> values, bool max)
    {
        var width = Vector<double>.Count;
        var i = 0;
        double m;
        if (Vector.IsHardwareAccelerated && values.Length >= 2 * width)
        {
            var acc = new Vector<double>(values);
            for (i = width; i <= values.Length - width; i += width)
            {
                var next = new Vector<double>(values[i..]);
                acc = max ? Vector.Max(acc, next) : Vector.Min(acc, next);
            }
            m = acc[0];
            for (var k = 1; k < width; k++) m = max ? Math.Max(m, acc[k]) : Math.Min(m, acc[k]);
        }
        else m = values[i++];
        for (; i < values.Length; i++) m = max ? Math.Max(m, values[i]) : Math.Min(m, values[i]);
        return m;
    }

    private bool Window(DateTimeOffset now, TimeSpan window, out int from, out int to)
    {
        from = to = 0;
        if (!Covers(now, window)) return false;
        from = LowerBound(now.UtcTicks - window.Ticks);
        to = LowerBound(now.UtcTicks + 1);
        return to > from;
    }

    /// <summary>First index whose time is at or after <paramref name="ticks"/>. Samples are usually evenly spaced, so it
    /// guesses the index from the spacing and walks a step or two: two or three memory reads instead of a binary search's
    /// seven, which matters when ten thousand histories are each read once per evaluation. Falls back to binary search.</summary>
    private int LowerBound(long ticks)
    {
        var n = _ticks.Length;
        if (n == 0 || ticks <= _ticks[0]) return 0;
        if (ticks > _ticks[n - 1]) return n;
        var guess = (int)Math.Clamp((double)(ticks - _ticks[0]) / (_ticks[n - 1] - _ticks[0]) * (n - 1), 0, n - 1);
        for (var step = 0; step < 4; step++)
        {
            if (_ticks[guess] < ticks) guess++;
            else if (guess > 0 && _ticks[guess - 1] >= ticks) guess--;
            else return guess;
        }
        int lo = 0, hi = n;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ticks[mid] < ticks) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}

/// <summary>One CPU reading: when, and the percentage in use.</summary>
public readonly record struct CpuSample(DateTimeOffset At, double Percent);
