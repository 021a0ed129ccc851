namespace Octopus.Consolidation.Horizon;

/// <summary>Feedback on measured SLA: turns the configured forecast quantile into the z the policy plans with, so
/// measured SLATAH tracks the target. Pure: the cumulative measured SLATAH is already the integral of past
/// violations, so a proportional step on it acts as integral control and needs no state of its own.</summary>
/// <remarks>z = clamp(z(q) + gain · (measured − target) / target, 0, 4). Measured below target lowers z (packs
/// tighter: less headroom, more energy saved); above target raises it (more headroom). With no measurement (a live
/// cluster without SLA telemetry) z is z(q).</remarks>
public static class SlaController
{
    public const double MaxZ = 4;

    public static double Z(double quantile, double slaTarget, double gain, double? measuredSlatah)
    {
        var z = HostDemandForecaster.NormalQuantile(quantile);
        if (measuredSlatah is not { } m || !double.IsFinite(m) || slaTarget <= 0) return z;
        return Math.Clamp(z + (gain * (m - slaTarget) / slaTarget), 0, MaxZ);
    }
}
