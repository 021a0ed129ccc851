namespace Octopus.Consolidation.Horizon;

/// <summary>Forecasts a host's CPU demand from its summed load: the Gaussian <c>q</c>-quantile (mean + z·σ) of the
/// sum of its VMs' recent use, never below the load now.</summary>
/// <remarks>Summing the VMs' loads before taking the quantile is what makes it tighter than summing per-VM upper
/// estimates: VMs that do not peak together cancel out in σ(sum) ≤ Σ σ(VM). Illustrated by two VMs of 1000 MIPS
/// alternating 0.2/0.6 in opposite phase: each has mean 400, σ 200, so per-VM mean + 1σ gives 2 × 600 = 1200 MIPS,
/// while their sum is a flat 800 (σ 0), forecast 800.</remarks>
public static class HostDemandForecaster
{
    /// <summary>The forecast (same unit as the samples): max(<paramref name="current"/>, mean + z·σ of
    /// <paramref name="summedLoad"/>), with σ the population standard deviation.</summary>
    public static double Forecast(double current, ReadOnlySpan<double> summedLoad, double z)
    {
        var n = summedLoad.Length;
        if (n < 2) return current;
        double sum = 0, sumSq = 0;
        foreach (var x in summedLoad)
        {
            sum += x;
            sumSq += x * x;
        }
        return FromSums(current, sum, sumSq, n, z);
    }

    /// <summary><see cref="Forecast"/> from the sums of the n ≥ 2 samples and of their squares (added in sample order),
    /// for callers that form the samples on the fly.</summary>
    internal static double FromSums(double current, double sum, double sumSq, int n, double z)
    {
        var mean = sum / n;
        var sd = Math.Sqrt(Math.Max(0, (sumSq / n) - (mean * mean)));
        return Math.Max(current, mean + (z * sd));
    }

    /// <summary>z of the standard normal distribution's <paramref name="q"/>-quantile (Acklam's rational approximation,
    /// relative error below 1.2e-9): 0.5 → 0, 0.9 → 1.2816, 0.99 → 2.3263.</summary>
    public static double NormalQuantile(double q)
    {
        if (q is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile level is in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (q < low)
        {
            var t = Math.Sqrt(-2 * Math.Log(q));
            return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
        }
        if (q > 1 - low) return -NormalQuantile(1 - q);
        var r = q - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
