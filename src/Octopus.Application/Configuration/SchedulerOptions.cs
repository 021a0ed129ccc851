using Octopus.Consolidation.Options;
using Octopus.Consolidation.Policies;
using Octopus.Domain;
using Octopus.Scheduling.Placement;

namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:Scheduler</c>: placement strategy, the control loop's pace, and consolidation.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Octopus:Scheduler";

    /// <summary>pack (consolidate, the default) or spread (balance).</summary>
    public string Strategy { get; set; } = "pack";

    /// <summary>How often the control loop runs its passes. 50 ms to 1 min; default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>automatic (apply the consolidation plan every interval), manual (propose only; apply with
    /// <c>octopus plan apply</c>) or off. Default manual. Admins change it at run time with <c>octopus plan mode</c>.</summary>
    public string Consolidation { get; set; } = "manual";

    /// <summary>Consolidation engine policy: octopus (default) or a CloudSim baseline (lr-mmt-1.2, …).</summary>
    public string ConsolidationPolicy { get; set; } = "octopus";

    /// <summary>How often the consolidation engine runs (its history has one sample per interval). 1 s to 1 h; default 5 min.</summary>
    public TimeSpan ConsolidationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each host with an IPMI or Redfish BMC is asked what it draws (its watts then replace the
    /// power model's). 5 s to 1 h; default 1 min.</summary>
    public TimeSpan PowerReadingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Tuning of the <c>octopus</c> policy, counted in consolidation intervals (defaults suit 5-minute
    /// intervals: a 2-hour horizon; no dwell since policy v2 — see the consolidation README on hysteresis).</summary>
    public OctopusPolicySection OctopusPolicy { get; set; } = new();

    /// <summary>Any policy option by its key, as <c>octopus simulate --option</c> takes them
    /// (<c>"PolicyOptions": { "octopus.fill": 0.95, "lr.safety": 1.2 }</c>); each is checked against its range.
    /// Wins over the three <see cref="OctopusPolicy"/> keys.</summary>
    public Dictionary<string, string>? PolicyOptions { get; set; }

    public sealed class OctopusPolicySection
    {
        /// <summary>Option <c>octopus.horizon</c> (unset: the policy's default).</summary>
        public int? HorizonSteps { get; set; }

        /// <summary>Option <c>octopus.dwell</c> (unset: the policy's default).</summary>
        public int? MinimumDwellSteps { get; set; }

        /// <summary>Option <c>octopus.migration-cost</c> (unset: the policy's default).</summary>
        public double? MigrationCostJoulesPerMb { get; set; }
    }

    /// <summary>The placement options (the validator has checked the strategy).</summary>
    public PlacementOptions Placement() => new() { Strategy = ParseStrategy(Strategy) ?? throw Wrong(nameof(Strategy), StrategyProblem(Strategy)) };

    /// <summary>The consolidation mode the server starts in (admins change it at run time).</summary>
    public global::Octopus.Application.Consolidation.ConsolidationMode Mode() => global::Octopus.Application.Consolidation.ConsolidationModeStore.Parse(Consolidation);

    /// <summary>The consolidation policy's name, as the catalogue knows it.</summary>
    public string PolicyName => ConsolidationPolicy.Trim().ToLowerInvariant();

    /// <summary>The policy options: the three <c>OctopusPolicy</c> keys, then every <c>PolicyOptions</c> entry.</summary>
    public PolicySettings Policy() => Policy((key, problem) => throw Wrong(key, problem));

    internal PolicySettings Policy(Action<string, string> fail)
    {
        var settings = PolicySettings.Defaults;
        Set($"{nameof(OctopusPolicy)}:{nameof(OctopusPolicySection.HorizonSteps)}", "octopus.horizon", OctopusPolicy.HorizonSteps);
        Set($"{nameof(OctopusPolicy)}:{nameof(OctopusPolicySection.MinimumDwellSteps)}", "octopus.dwell", OctopusPolicy.MinimumDwellSteps);
        Set($"{nameof(OctopusPolicy)}:{nameof(OctopusPolicySection.MigrationCostJoulesPerMb)}", "octopus.migration-cost", OctopusPolicy.MigrationCostJoulesPerMb);
        foreach (var (key, value) in PolicyOptions ?? [])
        {
            if (!settings.TrySet(key, value, out var next, out var error)) fail($"{nameof(PolicyOptions)}:{key}", error);
            else settings = next;
        }
        return settings;

        void Set(string configKey, string option, double? value)
        {
            if (value is not { } v) return;
            if (!settings.TrySet(option, v, out var next, out var error)) fail(configKey, error);
            else settings = next;
        }
    }

    internal static PlacementStrategy? ParseStrategy(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "pack" => PlacementStrategy.Pack,
        "spread" => PlacementStrategy.Spread,
        _ => null,
    };

    internal static string StrategyProblem(string? text) => $"'{text}' is not a strategy; use pack or spread.";

    private static ConfigurationException Wrong(string key, string problem) => new($"{Section}:{key}", problem);
}

/// <summary>Checks <see cref="SchedulerOptions"/>: names, ranges, and every policy option against its range.</summary>
public sealed class SchedulerOptionsValidator() : SectionValidator<SchedulerOptions>(SchedulerOptions.Section)
{
    protected override void Check(SchedulerOptions o, Action<string, string> fail)
    {
        if (SchedulerOptions.ParseStrategy(o.Strategy) is null) fail(nameof(o.Strategy), SchedulerOptions.StrategyProblem(o.Strategy));
        Range(o.Interval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), nameof(o.Interval), fail);
        try { o.Mode(); }
        catch (DomainException e) { fail(nameof(o.Consolidation), e.Message); }
        if (!PolicyCatalog.TryCreate(o.ConsolidationPolicy, out _, out var policyError))
        {
            fail(nameof(o.ConsolidationPolicy), policyError);
        }
        else
        {
            var failures = 0;
            var settings = o.Policy((key, problem) => { failures++; fail(key, problem); });
            if (failures == 0 && !PolicyCatalog.TryCreate(o.ConsolidationPolicy, settings, out _, out var optionsError))
                fail(nameof(o.PolicyOptions), optionsError);
        }
        Range(o.ConsolidationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), nameof(o.ConsolidationInterval), fail);
        Range(o.PowerReadingInterval, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1), nameof(o.PowerReadingInterval), fail);
    }
}
