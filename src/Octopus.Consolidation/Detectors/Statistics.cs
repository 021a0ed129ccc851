namespace Octopus.Consolidation.Detectors;

/// <summary>Small robust statistics used by the adaptive detectors, computed in place without allocation.</summary>
internal static class Statistics
{
    /// <summary>Median of a span (sorts it).</summary>
    public static double Median(Span<double> values)
    {
        values.Sort();
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    /// <summary>Median absolute deviation from the median (sorts and overwrites the span).</summary>
    public static double MedianAbsoluteDeviation(Span<double> values)
    {
        if (values.Length == 0) return 0;
        var median = Median(values);
        for (var i = 0; i < values.Length; i++) values[i] = Math.Abs(median - values[i]);
        return Median(values);
    }

    /// <summary>Interquartile range with CloudSim's rank rule: q = sorted[round(p·(n+1)) − 1] (sorts the span).</summary>
    public static double InterQuartileRange(Span<double> values)
    {
        values.Sort();
        var n = values.Length;
        var q1 = (int)Math.Round(0.25 * (n + 1), MidpointRounding.AwayFromZero) - 1;
        var q3 = (int)Math.Round(0.75 * (n + 1), MidpointRounding.AwayFromZero) - 1;
        return values[q3] - values[q1];
    }

    /// <summary>Least-squares line through (1, y0), (2, y1), …; returns intercept and slope.</summary>
    public static (double Intercept, double Slope) LinearFit(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            double x = i + 1;
            sx += x;
            sy += y[i];
            sxx += x * x;
            sxy += x * y[i];
        }
        var slope = ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
        var intercept = (sy - (slope * sx)) / n;
        return (intercept, slope);
    }
}
