using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Horizon;

/// <summary>Forecasts a VM's CPU use for the next intervals as an upper estimate: the larger of its current use and
/// the recent mean plus <c>safety</c> standard deviations, capped at its size.</summary>
/// <remarks>An upper estimate, not a mean, because an underestimate costs SLA (a host at 100 %) while an overestimate
/// only costs a little packing density.</remarks>
public sealed class DemandForecaster
{
    private readonly int _window;
    private readonly double _safety;

    public DemandForecaster(int window, double safety)
    {
        _window = window;
        _safety = safety;
    }

    /// <summary>Forecast use as a fraction of the VM's MIPS.</summary>
    public double Forecast(double current, ReadOnlySpan<double> historyRecentFirst)
    {
        var n = Math.Min(_window, historyRecentFirst.Length);
        if (n < 2) return Math.Min(1, current);
        double sum = 0, sumSq = 0;
        for (var i = 0; i < n; i++)
        {
            sum += historyRecentFirst[i];
            sumSq += historyRecentFirst[i] * historyRecentFirst[i];
        }
        return FromSums(current, sum, sumSq, n);
    }

    /// <summary>Samples in the window the forecast reads.</summary>
    internal int Window => _window;

    /// <summary><see cref="Forecast"/> from the sums of its n ≥ 2 samples and of their squares (added in sample order),
    /// for callers that read the samples anyway.</summary>
    internal double FromSums(double current, double sum, double sumSq, int n)
    {
        var mean = sum / n;
        var variance = Math.Max(0, (sumSq / n) - (mean * mean));
        var upper = mean + (_safety * Math.Sqrt(variance));
        return Math.Min(1, Math.Max(current, upper));
    }
}
