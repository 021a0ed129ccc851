using System.Globalization;
using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Options;
using Octopus.Consolidation.Placers;
using Octopus.Consolidation.Selectors;

namespace Octopus.Consolidation.Policies;

/// <summary>The one registry of named policies: <c>npa</c>, <c>dvfs</c>, <c>DETECTOR-mmt-PARAM</c> for the CloudSim
/// detectors <c>thr</c>, <c>iqr</c>, <c>mad</c>, <c>lr</c> (e.g. <c>lr-mmt-1.2</c>), and <c>octopus</c>.</summary>
public static class PolicyCatalog
{
    /// <summary>The policies the issue names, in the order they are usually reported.</summary>
    public static IReadOnlyList<string> StandardNames { get; } =
        ["npa", "dvfs", "thr-mmt-0.8", "iqr-mmt-1.5", "mad-mmt-2.5", "lr-mmt-1.2", "octopus"];

    /// <summary>CloudSim's adaptive detectors fall back to a static 0.7 threshold until they have enough history.</summary>
    public const double FallbackThreshold = 0.7;

    /// <summary>The option families (<see cref="PolicyOption.Family"/>) a named policy reads: <c>octopus</c> for
    /// octopus, <c>cloudsim</c> and its detector's family for a CloudSim policy, none for npa and dvfs.</summary>
    public static IReadOnlyList<string> FamiliesOf(string name)
    {
        var key = (name ?? "").Trim().ToLowerInvariant();
        if (key == "octopus") return ["octopus"];
        var detector = key.Split('-')[0];
        return key.Contains("-mmt", StringComparison.Ordinal) && CloudSimOptions.ParameterOf(detector) is not null ? ["cloudsim", detector] : [];
    }

    public static bool TryCreate(string name, out IConsolidationPolicy? policy, out string error) =>
        TryCreate(name, PolicySettings.Defaults, out policy, out error);

    /// <summary>Creates a policy by name with option values (<see cref="PolicyOptionCatalog"/>); options of other
    /// families are ignored. A CloudSim name without its parameter (<c>lr-mmt</c>) takes it from the family's option
    /// (<c>lr.safety</c>) and is named with it (<c>lr-mmt-1.2</c>); a parameter in the name wins over the option.</summary>
    public static bool TryCreate(string name, PolicySettings settings, out IConsolidationPolicy? policy, out string error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        policy = null;
        error = "";
        var key = (name ?? "").Trim().ToLowerInvariant();
        switch (key)
        {
            case "npa":
                policy = new StaticPlacementPolicy("npa", PowerManagement.None);
                return true;
            case "dvfs":
                policy = new StaticPlacementPolicy("dvfs", PowerManagement.LoadProportional);
                return true;
            case "octopus":
                try
                {
                    policy = new OctopusPolicy(OctopusOptions.From(settings));
                }
                catch (ArgumentOutOfRangeException e)
                {
                    error = e.Message.Split(" (Parameter", 2)[0];
                    return false;
                }
                return true;
        }
        var parts = key.Split('-');
        if (parts.Length == 2 && parts[1] == "mmt" && CloudSimOptions.ParameterOf(parts[0]) is { } option)
        {
            parts = [parts[0], "mmt", settings.Get(option).ToString(CultureInfo.InvariantCulture)];
            key = string.Join('-', parts);
        }
        var fallback = settings.Get(CloudSimOptions.Fallback);
        if (parts.Length == 3 && parts[1] == "mmt"
            && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && double.IsFinite(p) && p > 0)
        {
            IOverloadDetector? detector = parts[0] switch
            {
                "thr" when p <= 1 => new StaticThresholdDetector(p),
                "iqr" => new InterQuartileRangeDetector(p, new StaticThresholdDetector(fallback)),
                "mad" => new MedianAbsoluteDeviationDetector(p, new StaticThresholdDetector(fallback)),
                "lr" => new LocalRegressionDetector(p, new StaticThresholdDetector(fallback)),
                _ => null,
            };
            if (detector is not null)
            {
                policy = new CloudSimMigrationPolicy(key, detector, new MinimumMigrationTimeSelector(), new PowerAwareBestFitPlacer());
                return true;
            }
        }
        error = $"unknown policy '{name}'; use one of {string.Join(", ", StandardNames)} (or thr|iqr|mad|lr-mmt-PARAM, thr's PARAM in (0, 1], or thr|iqr|mad|lr-mmt with the parameter from --option)";
        return false;
    }
}
