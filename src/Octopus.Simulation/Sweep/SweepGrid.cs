using System.Globalization;
using Octopus.Consolidation.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Octopus.Simulation.Sweep;

/// <summary>One option a sweep varies and the values it takes, in the order they are run.</summary>
public sealed record SweepAxis(string Key, IReadOnlyList<double> Values);

/// <summary>A grid of policy option values (<c>octopus simulate --sweep FILE</c>): every combination of the axes' values
/// is one run. Read from JSON or YAML with the same keys as a policy file, flat (<c>"octopus.fill": [0.9, 0.95]</c>) or
/// per family (<c>octopus: {fill: [0.9, 0.95]}</c>); a value is a number, a list of numbers or a range
/// <c>{from: 5, to: 20, step: 5}</c> (both ends included). Every value is checked against its option's range when the
/// file is read, so a grid never holds a value a policy would refuse.</summary>
public sealed class SweepGrid
{
    /// <summary>Most runs one grid may ask for (points × policies is what runs).</summary>
    public const int MaxPoints = 1000;

    private SweepGrid(IReadOnlyList<SweepAxis> axes) => Axes = axes;

    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>Number of combinations: the product of the axes' value counts.</summary>
    public int PointCount => Axes.Aggregate(1, (n, a) => n * a.Values.Count);

    /// <summary>Every combination on top of <paramref name="baseSettings"/> (the grid's values win), the first axis
    /// varying slowest.</summary>
    public IEnumerable<PolicySettings> Points(PolicySettings baseSettings)
    {
        ArgumentNullException.ThrowIfNull(baseSettings);
        var index = new int[Axes.Count];
        for (var p = 0; p < PointCount; p++)
        {
            var settings = baseSettings;
            for (var a = 0; a < Axes.Count; a++)
            {
                // Every value was validated when the grid was read, so this cannot fail.
                if (!settings.TrySet(Axes[a].Key, Axes[a].Values[index[a]], out settings, out var error)) throw new InvalidOperationException(error);
            }
            yield return settings;
            for (var a = Axes.Count - 1; a >= 0; a--)
            {
                if (++index[a] < Axes[a].Values.Count) break;
                index[a] = 0;
            }
        }
    }

    /// <summary>Reads and parses a grid file; false with a message when it is missing, unreadable or wrong.</summary>
    public static bool TryLoad(string path, out SweepGrid? grid, out string error)
    {
        grid = null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read sweep file '{path}': {e.Message}";
            return false;
        }
        return TryParse(text, path, out grid, out error);
    }

    /// <summary>Parses grid text; false with a message naming the file and the key (or line) that is wrong.</summary>
    public static bool TryParse(string text, string fileName, out SweepGrid? grid, out string error)
    {
        grid = null;
        error = "";
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text ?? ""));
        }
        catch (YamlException e)
        {
            error = $"sweep file '{fileName}' is not valid JSON or YAML (line {e.Start.Line}): {e.Message}";
            return false;
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root || root.Children.Count == 0)
        {
            error = $"sweep file '{fileName}' must map option keys to values to try, e.g. octopus.fill: [0.9, 0.95] or octopus: {{fill: {{from: 0.85, to: 1, step: 0.05}}}}";
            return false;
        }
        var axes = new List<SweepAxis>();
        foreach (var (k, v) in root.Children)
        {
            var key = Key(k);
            // A family mapping holds option names; a mapping with from/to/step is a range of a flat key.
            if (v is YamlMappingNode family && !IsRange(family))
            {
                foreach (var (ik, iv) in family.Children)
                {
                    if (!TryAxis($"{key}.{Key(ik)}", iv, axes, out error)) return Fail(ref error);
                }
            }
            else if (!TryAxis(key, v, axes, out error)) return Fail(ref error);
        }
        grid = new SweepGrid(axes);
        if (grid.PointCount > MaxPoints)
        {
            error = $"sweep file '{fileName}' asks for {grid.PointCount} combinations ({string.Join(" × ", axes.Select(a => $"{a.Key} {a.Values.Count}"))}); at most {MaxPoints}: use fewer values or a larger step";
            grid = null;
            return false;
        }
        return true;

        bool Fail(ref string e)
        {
            e = $"sweep file '{fileName}': {e}";
            return false;
        }
    }

    private static string Key(YamlNode node) => ((node as YamlScalarNode)?.Value ?? "").Trim().ToLowerInvariant();

    private static bool IsRange(YamlMappingNode node) =>
        node.Children.Keys.Any(k => Key(k) is "from" or "to" or "step");

    private static bool TryAxis(string key, YamlNode node, List<SweepAxis> axes, out string error)
    {
        if (!PolicyOptionCatalog.TryFind(key, out var option, out error)) return false;
        if (axes.Any(a => a.Key == key))
        {
            error = $"option {key} is given twice";
            return false;
        }
        var values = new List<double>();
        switch (node)
        {
            case YamlScalarNode scalar:
                if (!TryValue(option!, scalar, values, out error)) return false;
                break;
            case YamlSequenceNode list:
                if (list.Children.Count == 0)
                {
                    error = $"option {key} has an empty list; give at least one value ({option!.Range})";
                    return false;
                }
                foreach (var item in list.Children)
                {
                    if (item is not YamlScalarNode s)
                    {
                        error = $"option {key}: list items must be numbers ({option!.Range})";
                        return false;
                    }
                    if (!TryValue(option!, s, values, out error)) return false;
                }
                break;
            case YamlMappingNode range:
                if (!TryRange(option!, range, values, out error)) return false;
                break;
            default:
                error = $"option {key} needs a number, a list of numbers or a range {{from, to, step}}";
                return false;
        }
        if (values.Distinct().Count() != values.Count)
        {
            error = $"option {key} lists a value twice ({string.Join(", ", values.Select(Format))})";
            return false;
        }
        axes.Add(new SweepAxis(key, values));
        return true;
    }

    private static bool TryValue(PolicyOption option, YamlScalarNode node, List<double> values, out string error)
    {
        if (!TryNumber(option.Key, node, "value", out var value, out error)) return false;
        if (!option.Accepts(value))
        {
            error = option.OutOfRange(value);
            return false;
        }
        values.Add(value);
        return true;
    }

    private static bool TryRange(PolicyOption option, YamlMappingNode range, List<double> values, out string error)
    {
        error = "";
        double? from = null, to = null, step = null;
        foreach (var (k, v) in range.Children)
        {
            var name = Key(k);
            if (name is not ("from" or "to" or "step"))
            {
                error = $"option {option.Key}: a range has from, to and step; got '{name}'";
                return false;
            }
            if (v is not YamlScalarNode s || !TryNumber(option.Key, s, name, out var x, out error))
            {
                error = $"option {option.Key}: range {name} needs a number";
                return false;
            }
            if (name == "from") from = x;
            else if (name == "to") to = x;
            else step = x;
        }
        if (from is null || to is null || step is null)
        {
            error = $"option {option.Key}: a range needs from, to and step (e.g. {{from: {Format(option.Min)}, to: {Format(option.Max)}, step: …}})";
            return false;
        }
        if (!(step > 0))
        {
            error = $"option {option.Key}: range step must be positive; got {Format(step.Value)}";
            return false;
        }
        if (to < from)
        {
            error = $"option {option.Key}: range goes from {Format(from.Value)} down to {Format(to.Value)}; from must not exceed to";
            return false;
        }
        var count = Math.Floor(((to.Value - from.Value) / step.Value) + 1e-9) + 1;
        if (count > MaxPoints)
        {
            error = $"option {option.Key}: range from {Format(from.Value)} to {Format(to.Value)} by {Format(step.Value)} has {count} values; at most {MaxPoints}";
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            // Rounded so 0.1 steps read 0.3, not 0.30000000000000004.
            var value = Math.Round(from.Value + (i * step.Value), 10);
            if (!option.Accepts(value))
            {
                error = $"{option.OutOfRange(value)} (range from {Format(from.Value)} to {Format(to.Value)} by {Format(step.Value)})";
                return false;
            }
            values.Add(value);
        }
        return true;
    }

    private static bool TryNumber(string key, YamlScalarNode node, string what, out double value, out string error)
    {
        error = "";
        if (double.TryParse((node.Value ?? "").Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        error = $"option {key}: {what} needs a number; got '{node.Value}'";
        return false;
    }

    private static string Format(double x) => x.ToString(CultureInfo.InvariantCulture);
}
