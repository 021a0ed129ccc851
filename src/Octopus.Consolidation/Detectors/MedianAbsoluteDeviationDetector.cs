namespace Octopus.Consolidation.Detectors;

/// <summary>A host is overloaded when its requested utilisation exceeds 1 − s × MAD of its utilisation history
/// (CloudSim MAD); with fewer than 12 samples the fallback decides.</summary>
public sealed class MedianAbsoluteDeviationDetector(double safetyParameter, IOverloadDetector fallback)
    : SpreadThresholdDetector("mad", safetyParameter, fallback)
{
    private protected override double Spread(Span<double> history) => Statistics.MedianAbsoluteDeviation(history);
}
