using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Detectors;

/// <summary>CloudSim's adaptive thresholds: a host is overloaded when its requested utilisation exceeds 1 − s × the
/// spread of its utilisation history (the spread is the IQR or the MAD, see the subclasses); with fewer than
/// <see cref="MinimumSamples"/> samples the fallback decides.</summary>
public abstract class SpreadThresholdDetector : IOverloadDetector
{
    /// <summary>CloudSim needs 12 samples before trusting the spread.</summary>
    public const int MinimumSamples = 12;

    private readonly IOverloadDetector _fallback;

    private protected SpreadThresholdDetector(string namePrefix, double safetyParameter, IOverloadDetector fallback)
    {
        if (!(safetyParameter >= 0)) throw new ArgumentOutOfRangeException(nameof(safetyParameter), safetyParameter, "the safety parameter must be non-negative");
        SafetyParameter = safetyParameter;
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        Name = $"{namePrefix}-{safetyParameter.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public double SafetyParameter { get; }
    public string Name { get; }

    /// <summary>The spread of a utilisation history of at least <see cref="MinimumSamples"/> samples (may reorder it).</summary>
    private protected abstract double Spread(Span<double> history);

    public OverloadVerdict Evaluate(PlacementState state, int host, int extraVm)
    {
        Span<double> history = stackalloc double[UtilisationHistory.Capacity];
        var length = state.HostHistory(host, extraVm, history);
        if (length < MinimumSamples) return _fallback.Evaluate(state, host, extraVm);
        var threshold = 1 - (SafetyParameter * Spread(history[..length]));
        var utilisation = (state.SumRequested(host) + (extraVm >= 0 ? state.Requested(extraVm) : 0)) / state.TotalMips(host);
        return new OverloadVerdict(utilisation > threshold, utilisation, threshold, Name);
    }
}
