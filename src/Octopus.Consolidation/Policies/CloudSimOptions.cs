using Octopus.Consolidation.Options;

namespace Octopus.Consolidation.Policies;

/// <summary>Options of the CloudSim baselines. The detector parameter of a named policy (<c>lr-mmt-1.2</c>) is part of
/// its name; the same policy named without it (<c>lr-mmt</c>) takes the parameter from <c>lr.safety</c> (and
/// <c>thr.threshold</c>, <c>iqr.safety</c>, <c>mad.safety</c> likewise), so a sweep can vary it.</summary>
public static class CloudSimOptions
{
    public static PolicyOption Fallback { get; } = new("cloudsim.fallback",
        "static utilisation threshold IQR, MAD and LR use until a host has enough history (CloudSim: 0.7)", 0.05, 1, PolicyCatalog.FallbackThreshold);

    public static PolicyOption ThrThreshold { get; } = new("thr.threshold", "thr-mmt: a host above this utilisation is overloaded", 0.05, 1, 0.8);

    public static PolicyOption IqrSafety { get; } = new("iqr.safety", "iqr-mmt: threshold = 1 − safety × IQR of host history", 0.01, 10, 1.5);

    public static PolicyOption MadSafety { get; } = new("mad.safety", "mad-mmt: threshold = 1 − safety × MAD of host history", 0.01, 10, 2.5);

    public static PolicyOption LrSafety { get; } = new("lr.safety", "lr-mmt: overloaded when safety × predicted utilisation ≥ 1", 0.01, 10, 1.2);

    public static IReadOnlyList<PolicyOption> Options { get; } = [Fallback, ThrThreshold, IqrSafety, MadSafety, LrSafety];

    /// <summary>The parameter option of a detector family (<c>thr</c>, <c>iqr</c>, <c>mad</c>, <c>lr</c>), or null.</summary>
    public static PolicyOption? ParameterOf(string family) => family switch
    {
        "thr" => ThrThreshold,
        "iqr" => IqrSafety,
        "mad" => MadSafety,
        "lr" => LrSafety,
        _ => null,
    };
}
