using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Detectors;

/// <summary>A host is overloaded when its requested utilisation exceeds 1 − s × IQR of its utilisation history
/// (CloudSim IQR); with fewer than 12 samples the fallback decides.</summary>
public sealed class InterQuartileRangeDetector : IOverloadDetector
{
    /// <summary>CloudSim needs 12 samples before trusting the quartiles.</summary>
    public const int MinimumSamples = 12;

    private readonly IOverloadDetector _fallback;

    public InterQuartileRangeDetector(double safetyParameter, IOverloadDetector fallback)
    {
        if (!(safetyParameter >= 0)) throw new ArgumentOutOfRangeException(nameof(safetyParameter), safetyParameter, "the safety parameter must be non-negative");
        SafetyParameter = safetyParameter;
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
        Name = $"iqr-{safetyParameter.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public double SafetyParameter { get; }
    public string Name { get; }

    public OverloadVerdict Evaluate(PlacementState state, int host, int extraVm)
    {
        Span<double> history = stackalloc double[UtilisationHistory.Capacity];
        var length = state.HostHistory(host, extraVm, history);
        if (length < MinimumSamples) return _fallback.Evaluate(state, host, extraVm);
        var threshold = 1 - (SafetyParameter * Statistics.InterQuartileRange(history[..length]));
        var utilisation = (state.SumRequested(host) + (extraVm >= 0 ? state.Requested(extraVm) : 0)) / state.TotalMips(host);
        return new OverloadVerdict(utilisation > threshold, utilisation, threshold, Name);
    }
}
