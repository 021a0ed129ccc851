namespace Octopus.Consolidation.Detectors;

/// <summary>A host is overloaded when its requested utilisation exceeds 1 − s × IQR of its utilisation history
/// (CloudSim IQR); with fewer than 12 samples the fallback decides.</summary>
public sealed class InterQuartileRangeDetector(double safetyParameter, IOverloadDetector fallback)
    : SpreadThresholdDetector("iqr", safetyParameter, fallback)
{
    private protected override double Spread(Span<double> history) => Statistics.InterQuartileRange(history);
}
