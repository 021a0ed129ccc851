using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Detectors;

/// <summary>A host is overloaded when a line fitted to its last 10 utilisation samples, extrapolated past the time a
/// migration would take and multiplied by a safety parameter, reaches 1 (CloudSim LR).</summary>
/// <remarks>CloudSim's "loess" weights are all positive for n = 10, so its weighted branch is never taken and the fit
/// is ordinary least squares over x = 1..10 (oldest first). With fewer than 10 samples the fallback decides.</remarks>
public sealed class LocalRegressionDetector : IOverloadDetector
{
    /// <summary>Samples used for the fit: CloudSim uses 10 "to make the regression responsive enough".</summary>
    public const int Window = 10;

    private readonly IOverloadDetector _fallback;

    public LocalRegressionDetector(double safetyParameter, IOverloadDetector fallback)
    {
        if (!(safetyParameter > 0)) throw new ArgumentOutOfRangeException(nameof(safetyParameter), safetyParameter, "the safety parameter must be positive");
        SafetyParameter = safetyParameter;
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        Name = $"lr-{safetyParameter.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public double SafetyParameter { get; }

    /// <summary>The detector that decides while a host has fewer than <see cref="Window"/> samples.</summary>
    internal IOverloadDetector Fallback => _fallback;
    public string Name { get; }

    public OverloadVerdict Evaluate(PlacementState state, int host, int extraVm)
    {
        if (state.HostHistoryLength(host, extraVm) < Window) return _fallback.Evaluate(state, host, extraVm);
        Span<double> history = stackalloc double[Window];
        state.HostHistoryWindow(host, extraVm, history);
        Span<double> oldestFirst = stackalloc double[Window];
        for (var i = 0; i < Window; i++) oldestFirst[i] = history[Window - i - 1];
        var (intercept, slope) = Statistics.LinearFit(oldestFirst);
        var intervalSeconds = state.Snapshot.Interval.TotalSeconds;
        var migrationIntervals = Math.Ceiling(state.MaxMigrationSeconds(host, extraVm) / intervalSeconds);
        var predicted = (intercept + (slope * (Window + migrationIntervals))) * SafetyParameter;
        return new OverloadVerdict(predicted >= 1, predicted, 1, Name);
    }

    /// <summary><see cref="Evaluate"/>'s prediction before the safety parameter, written as one weighted sum of the
    /// window (most recent first, zero beyond its length): the fit is linear in the samples, so a host's prediction
    /// with a VM is its own plus the VM's share. Equal to Evaluate's up to rounding (~1e-13): for bounds, not verdicts.</summary>
    internal static double LinearPrediction(ReadOnlySpan<double> mostRecentFirst, double migrationIntervals)
    {
        // slope = Σ yᵢ (n xᵢ − Σx) / (n Σx² − (Σx)²), intercept = Σ yᵢ / n − slope Σx / n, x = 1..n oldest first.
        const double n = Window;
        const double sx = Window * (Window + 1) / 2.0;
        const double sxx = Window * (Window + 1) * ((2 * Window) + 1) / 6.0;
        const double d = (n * sxx) - (sx * sx);
        var at = Window + migrationIntervals - (sx / n);
        double p = 0;
        for (var j = 0; j < Math.Min(mostRecentFirst.Length, Window); j++)
        {
            double x = Window - j;
            p += mostRecentFirst[j] * ((1 / n) + ((((n * x) - sx) / d) * at));
        }
        return p;
    }
}
