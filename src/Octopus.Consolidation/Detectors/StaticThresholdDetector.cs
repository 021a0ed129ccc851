using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Detectors;

/// <summary>A host is overloaded when its VMs request more than a fixed fraction of its MIPS (CloudSim THR).</summary>
/// <remarks>Requests are uncapped sums, as in PowerVmAllocationPolicyMigrationStaticThreshold.</remarks>
public sealed class StaticThresholdDetector : IOverloadDetector
{
    public StaticThresholdDetector(double threshold)
    {
        if (!(threshold > 0 && threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a utilisation threshold is in (0, 1]");
        Threshold = threshold;
        Name = $"thr-{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public double Threshold { get; }
    public string Name { get; }

    public OverloadVerdict Evaluate(PlacementState state, int host, int extraVm)
    {
        var requested = state.SumRequested(host) + (extraVm >= 0 ? state.Requested(extraVm) : 0);
        var utilisation = requested / state.TotalMips(host);
        return new OverloadVerdict(utilisation > Threshold, utilisation, Threshold, Name);
    }
}
