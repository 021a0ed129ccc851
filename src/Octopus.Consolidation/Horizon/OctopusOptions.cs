namespace Octopus.Consolidation.Horizon;

/// <summary>Settings of the <c>octopus</c> policy. Fractions are of a host's total MIPS.</summary>
public sealed record OctopusOptions
{
    /// <summary>Forecast load a host may be filled to when it receives VMs (0.5–1). Headroom = 1 − this.</summary>
    public double FillTarget { get; init; } = 0.9;

    /// <summary>Forecast load above which a host is relieved (≥ <see cref="FillTarget"/>, ≤ 1.2).</summary>
    public double OverloadLimit { get; init; } = 1.0;

    /// <summary>A host is a drain candidate only while its forecast load stays below this (0–1).</summary>
    public double UnderloadLimit { get; init; } = 0.7;

    /// <summary>Samples the forecast looks back over (2–30).</summary>
    public int ForecastWindow { get; init; } = 6;

    /// <summary>Standard deviations of recent use added to the forecast as a safety margin (0–4).</summary>
    public double ForecastSafety { get; init; } = 0.5;

    /// <summary>Intervals an energy saving is counted over when weighing a drain against its migrations (1–288).</summary>
    public int HorizonSteps { get; init; } = 24;

    /// <summary>Watt-seconds a migration is charged for SLA risk and overhead, per MB of VM memory.</summary>
    public double MigrationCostJoulesPerMb { get; init; } = 50;

    /// <summary>Migrations allowed per interval for consolidation, per 1000 VMs (rounded up; overload relief is not
    /// capped). Scaling with the cluster keeps the consolidation pace the same at any size.</summary>
    public double MigrationBudgetPer1000Vms { get; init; } = 80;

    /// <summary>Intervals a host must stay in a power state before the policy reverses it (hysteresis, ≥ 0).</summary>
    public int MinimumDwellSteps { get; init; } = 6;

    /// <summary>Run the CP-SAT re-pack every this many intervals after greedy draining (0 = never, the default: on the
    /// PlanetLab days it found nothing worth its cost that greedy had missed — see the simulator README).</summary>
    public int RepackEverySteps { get; init; } = 0;

    /// <summary>Wall-clock limit of one CP-SAT solve, in seconds.</summary>
    public double RepackTimeLimitSeconds { get; init; } = 0.1;

    /// <summary>How many least-loaded hosts a re-pack considers draining at once.</summary>
    public int RepackCandidates { get; init; } = 8;

    public static OctopusOptions Default { get; } = new();

    /// <summary>Throws with the field and its valid range when a setting is out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string field, string range)
        {
            if (!ok) throw new ArgumentOutOfRangeException(field, $"{field} must be {range}");
        }
        Check(FillTarget is >= 0.5 and <= 1, nameof(FillTarget), "in [0.5, 1]");
        Check(OverloadLimit >= FillTarget && OverloadLimit <= 1.2, nameof(OverloadLimit), "in [FillTarget, 1.2]");
        Check(UnderloadLimit is >= 0 and <= 1, nameof(UnderloadLimit), "in [0, 1]");
        Check(ForecastWindow is >= 2 and <= 30, nameof(ForecastWindow), "in [2, 30]");
        Check(ForecastSafety is >= 0 and <= 4, nameof(ForecastSafety), "in [0, 4]");
        Check(HorizonSteps is >= 1 and <= 288, nameof(HorizonSteps), "in [1, 288]");
        Check(MigrationCostJoulesPerMb >= 0, nameof(MigrationCostJoulesPerMb), "non-negative");
        Check(MigrationBudgetPer1000Vms >= 0, nameof(MigrationBudgetPer1000Vms), "non-negative");
        Check(MinimumDwellSteps >= 0, nameof(MinimumDwellSteps), "non-negative");
        Check(RepackEverySteps >= 0, nameof(RepackEverySteps), "non-negative");
        Check(RepackTimeLimitSeconds > 0, nameof(RepackTimeLimitSeconds), "positive");
        Check(RepackCandidates is >= 1 and <= 50, nameof(RepackCandidates), "in [1, 50]");
    }
}
