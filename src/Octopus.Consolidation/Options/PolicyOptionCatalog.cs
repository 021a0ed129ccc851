using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Policies;

namespace Octopus.Consolidation.Options;

/// <summary>The one list of every policy option (key, meaning, range, default), gathered from each policy family's
/// options type: <see cref="OctopusOptions"/> (<c>octopus.*</c>) and <see cref="CloudSimOptions"/>
/// (<c>cloudsim.*</c>, <c>thr.*</c>, <c>iqr.*</c>, <c>mad.*</c>, <c>lr.*</c>).</summary>
public static class PolicyOptionCatalog
{
    /// <summary>Every option, grouped by family, in the order they are documented.</summary>
    public static IReadOnlyList<PolicyOption> All { get; } = [.. OctopusOptions.Options, .. CloudSimOptions.Options];

    private static readonly Dictionary<string, PolicyOption> ByKey = All.ToDictionary(o => o.Key, StringComparer.Ordinal);

    /// <summary>Finds an option by key; false with a message listing the family's keys (or the families) when unknown.</summary>
    public static bool TryFind(string key, out PolicyOption? option, out string error)
    {
        error = "";
        if (ByKey.TryGetValue(key, out option)) return true;
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        var family = dot > 0 ? key[..dot] : key;
        var same = All.Where(o => o.Family == family).Select(o => o.Key).ToList();
        error = same.Count > 0
            ? $"unknown option '{key}'; {family} has {string.Join(", ", same)}"
            : $"unknown option '{key}'; options are FAMILY.NAME with FAMILY one of {string.Join(", ", All.Select(o => o.Family).Distinct())}";
        return false;
    }

    /// <summary>A table of every option for help output: key, range, default, meaning.</summary>
    public static string Describe() =>
        string.Join('\n', All.Select(o => FormattableString.Invariant($"{o.Key,-28} {o.Range,-36} default {o.Default,-8} {o.Description}")));
}
