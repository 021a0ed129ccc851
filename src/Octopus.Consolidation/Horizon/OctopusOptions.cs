using Octopus.Consolidation.Options;

namespace Octopus.Consolidation.Horizon;

/// <summary>Settings of the <c>octopus</c> policy. Fractions are of a host's total MIPS.</summary>
public sealed record OctopusOptions
{
    /// <summary>Forecast load a host may be filled to when it receives VMs (0.5–1). Headroom = 1 − this.</summary>
    public double FillTarget { get; init; } = 0.95;

    /// <summary>Forecast load above which a host is relieved (≥ <see cref="FillTarget"/>, ≤ 1.2).</summary>
    public double OverloadLimit { get; init; } = 1.1;

    /// <summary>A host is a drain candidate only while its forecast load stays below this (0–1).</summary>
    public double UnderloadLimit { get; init; } = 0.9;

    /// <summary>Samples the forecast looks back over (2–30).</summary>
    public int ForecastWindow { get; init; } = 6;

    /// <summary>Standard deviations of recent use added to the forecast as a safety margin (0–4).</summary>
    public double ForecastSafety { get; init; } = 0.5;

    /// <summary>Quantile level of a host's summed load the forecast plans for (0.5–0.999), before SLA feedback.</summary>
    public double Quantile { get; init; } = 0.9;

    /// <summary>SLATAH the policy steers to (0.001–0.5): the share of active host time at 100 % CPU it accepts.</summary>
    public double SlaTarget { get; init; } = 0.02;

    /// <summary>How strongly measured SLATAH moves the forecast's z away from the quantile's (0–10); 0 = no feedback.</summary>
    public double SlaGain { get; init; } = 1;

    /// <summary>Seconds of a drain's saving each second of its migrations costs (0–1000): the drain pays iff
    /// horizon &gt; weight × migration time.</summary>
    public double MigrationWeight { get; init; } = 10;

    /// <summary>Intervals an energy saving is counted over when weighing a drain against its migrations (1–288).</summary>
    public int HorizonSteps { get; init; } = 24;

    /// <summary>Watt-seconds a migration is charged for SLA risk and overhead, per MB of VM memory.</summary>
    public double MigrationCostJoulesPerMb { get; init; }

    /// <summary>Migrations allowed per interval for consolidation, per 1000 VMs (rounded up; overload relief is not
    /// capped). Scaling with the cluster keeps the consolidation pace the same at any size.</summary>
    public double MigrationBudgetPer1000Vms { get; init; } = 1000;

    /// <summary>Intervals a host must stay in a power state before the policy reverses it (hysteresis, ≥ 0).</summary>
    public int MinimumDwellSteps { get; init; }

    /// <summary>Power-offs a host may have in any 24 hours; once it has had this many the policy neither drains it nor
    /// switches it off until the oldest leaves the window (0 = no cap). A hard bound on power cycling beside the dwell
    /// time: BMCs, disks and power supplies wear with each cycle (VMware DPM and OpenNebula cap them likewise).</summary>
    public int MaxPowerOffsPerDay { get; init; } = 6;

    /// <summary>Run the CP-SAT re-pack every this many intervals after greedy draining (0 = never, the default: on the
    /// PlanetLab days it found nothing worth its cost that greedy had missed — see the simulator README).</summary>
    public int RepackEverySteps { get; init; } = 0;

    /// <summary>Wall-clock limit of one CP-SAT solve, in seconds.</summary>
    public double RepackTimeLimitSeconds { get; init; } = 0.1;

    /// <summary>How many least-loaded hosts a re-pack considers draining at once.</summary>
    public int RepackCandidates { get; init; } = 8;

    public static OctopusOptions Default { get; } = new();

    private sealed record Binding(PolicyOption Option, string Field, Func<OctopusOptions, double> Get, Func<OctopusOptions, double, OctopusOptions> Set);

    // The one place each setting gets its option key, range and default; Validate, From and the CLI all read it.
    private static readonly Binding[] Bindings =
    [
        new(new("octopus.fill", "forecast load a host may be filled to when it receives VMs (headroom = 1 − fill)", 0.5, 1, 0.95),
            nameof(FillTarget), o => o.FillTarget, (o, v) => o with { FillTarget = v }),
        new(new("octopus.overload", "forecast load above which a host is relieved (at least octopus.fill)", 0.5, 1.2, 1.1),
            nameof(OverloadLimit), o => o.OverloadLimit, (o, v) => o with { OverloadLimit = v }),
        new(new("octopus.underload", "a host is a drain candidate only while its forecast load is below this", 0, 1, 0.9),
            nameof(UnderloadLimit), o => o.UnderloadLimit, (o, v) => o with { UnderloadLimit = v }),
        new(new("octopus.forecast-window", "samples the forecast looks back over", 2, 30, 6, IsInteger: true),
            nameof(ForecastWindow), o => o.ForecastWindow, (o, v) => o with { ForecastWindow = (int)v }),
        new(new("octopus.forecast-safety", "standard deviations of recent use added to a VM's forecast", 0, 4, 0.5),
            nameof(ForecastSafety), o => o.ForecastSafety, (o, v) => o with { ForecastSafety = v }),
        new(new("octopus.quantile", "quantile level of a host's summed load the forecast plans for, before SLA feedback", 0.5, 0.999, 0.9),
            nameof(Quantile), o => o.Quantile, (o, v) => o with { Quantile = v }),
        new(new("octopus.sla-target", "SLATAH the policy steers to (share of active host time at 100 % CPU)", 0.001, 0.5, 0.02),
            nameof(SlaTarget), o => o.SlaTarget, (o, v) => o with { SlaTarget = v }),
        new(new("octopus.sla-gain", "feedback: z of the forecast moves by gain × (measured − target) / target; 0 = off", 0, 10, 1),
            nameof(SlaGain), o => o.SlaGain, (o, v) => o with { SlaGain = v }),
        new(new("octopus.migration-weight", "seconds of a drain's saving one second of its migrations costs", 0, 1000, 10),
            nameof(MigrationWeight), o => o.MigrationWeight, (o, v) => o with { MigrationWeight = v }),
        new(new("octopus.horizon", "intervals an energy saving is counted over when weighing a drain", 1, 288, 24, IsInteger: true),
            nameof(HorizonSteps), o => o.HorizonSteps, (o, v) => o with { HorizonSteps = (int)v }),
        new(new("octopus.migration-cost", "fixed joules a drain is charged per MB of VM memory moved, on top of migration-weight", 0, 10_000, 0),
            nameof(MigrationCostJoulesPerMb), o => o.MigrationCostJoulesPerMb, (o, v) => o with { MigrationCostJoulesPerMb = v }),
        new(new("octopus.budget", "consolidation migrations per interval per 1000 VMs", 0, 1000, 1000),
            nameof(MigrationBudgetPer1000Vms), o => o.MigrationBudgetPer1000Vms, (o, v) => o with { MigrationBudgetPer1000Vms = v }),
        new(new("octopus.dwell", "intervals a host keeps a power state before the policy reverses it", 0, 288, 0, IsInteger: true),
            nameof(MinimumDwellSteps), o => o.MinimumDwellSteps, (o, v) => o with { MinimumDwellSteps = (int)v }),
        new(new("octopus.max-cycles", "power-offs a host may have in any 24 h before the policy keeps it on (0 = no cap)", 0, 288, 6, IsInteger: true),
            nameof(MaxPowerOffsPerDay), o => o.MaxPowerOffsPerDay, (o, v) => o with { MaxPowerOffsPerDay = (int)v }),
        new(new("octopus.repack-every", "run the CP-SAT re-pack every this many intervals (0 = never)", 0, 288, 0, IsInteger: true),
            nameof(RepackEverySteps), o => o.RepackEverySteps, (o, v) => o with { RepackEverySteps = (int)v }),
        new(new("octopus.repack-time", "deterministic time limit of one CP-SAT solve, seconds", 0.01, 60, 0.1),
            nameof(RepackTimeLimitSeconds), o => o.RepackTimeLimitSeconds, (o, v) => o with { RepackTimeLimitSeconds = v }),
        new(new("octopus.repack-candidates", "least-loaded hosts one re-pack considers draining", 1, 50, 8, IsInteger: true),
            nameof(RepackCandidates), o => o.RepackCandidates, (o, v) => o with { RepackCandidates = (int)v }),
    ];

    /// <summary>Every setting as a policy option (<c>octopus.*</c>), with its range and default.</summary>
    public static IReadOnlyList<PolicyOption> Options { get; } = [.. Bindings.Select(b => b.Option)];

    /// <summary>The defaults with every <c>octopus.*</c> value set in <paramref name="settings"/> applied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A combination is invalid (e.g. overload below fill); the message
    /// names the options.</exception>
    public static OctopusOptions From(PolicySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var o = Default;
        foreach (var b in Bindings)
        {
            if (settings.IsSet(b.Option.Key)) o = b.Set(o, settings.Get(b.Option));
        }
        o.Validate();
        return o;
    }

    /// <summary>Throws with the option key, the field, its valid range and the value when a setting is out of range.</summary>
    public void Validate()
    {
        foreach (var b in Bindings)
        {
            var v = b.Get(this);
            if (!b.Option.Accepts(v)) throw new ArgumentOutOfRangeException(b.Field, $"{b.Option.OutOfRange(v)} ({b.Field})");
        }
        if (OverloadLimit < FillTarget)
            throw new ArgumentOutOfRangeException(nameof(OverloadLimit), FormattableString.Invariant(
                $"option octopus.overload must be at least octopus.fill ({FillTarget}); got {OverloadLimit} (OverloadLimit)"));
    }
}
