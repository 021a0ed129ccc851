using System.Collections.Immutable;
using System.Globalization;

namespace Octopus.Consolidation.Options;

/// <summary>Values set for policy options (<c>octopus.fill = 0.95</c>, …), each checked against its
/// <see cref="PolicyOption"/> when it is set, so a <see cref="PolicySettings"/> never holds an unknown key or an
/// out-of-range value. Options not set read as their default. Immutable.</summary>
public sealed class PolicySettings
{
    private readonly ImmutableSortedDictionary<string, double> _values;

    private PolicySettings(ImmutableSortedDictionary<string, double> values) => _values = values;

    /// <summary>No option set: every policy runs with its defaults.</summary>
    public static PolicySettings Defaults { get; } = new(ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The options that were set explicitly, by key.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>The value of an option: the one set, else its default.</summary>
    public double Get(PolicyOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return _values.TryGetValue(option.Key, out var v) ? v : option.Default;
    }

    /// <summary>Whether the option was set explicitly.</summary>
    public bool IsSet(string key) => _values.ContainsKey(key);

    /// <summary>A copy with one more value; false with a message naming the option (unknown key, value out of range).</summary>
    public bool TrySet(string key, double value, out PolicySettings settings, out string error)
    {
        settings = this;
        var k = (key ?? "").Trim().ToLowerInvariant();
        if (!PolicyOptionCatalog.TryFind(k, out var option, out error)) return false;
        if (!option!.Accepts(value))
        {
            error = option.OutOfRange(value);
            return false;
        }
        settings = new PolicySettings(_values.SetItem(k, value));
        return true;
    }

    /// <summary>As <see cref="TrySet(string, double, out PolicySettings, out string)"/> with the value as text
    /// (invariant culture; <c>true</c>/<c>false</c> read as 1/0).</summary>
    public bool TrySet(string key, string text, out PolicySettings settings, out string error)
    {
        settings = this;
        var t = (text ?? "").Trim();
        double value;
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase)) value = 1;
        else if (t.Equals("false", StringComparison.OrdinalIgnoreCase)) value = 0;
        else if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            var known = PolicyOptionCatalog.TryFind((key ?? "").Trim().ToLowerInvariant(), out var option, out _)
                ? $" ({option!.Range})" : "";
            error = $"option {key} needs a number{known}; got '{text}'";
            return false;
        }
        return TrySet(key ?? "", value, out settings, out error);
    }

    /// <summary>Applies one <c>KEY=VALUE</c> assignment (as given to <c>--option</c>).</summary>
    public bool TryApply(string assignment, out PolicySettings settings, out string error)
    {
        settings = this;
        var text = assignment ?? "";
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            error = $"--option takes KEY=VALUE (e.g. octopus.fill=0.95); got '{text}'";
            return false;
        }
        return TrySet(text[..eq], text[(eq + 1)..], out settings, out error);
    }

    /// <summary>This plus every value of <paramref name="other"/> (the other wins on the same key).</summary>
    public PolicySettings Merge(PolicySettings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new PolicySettings(_values.SetItems(other._values));
    }

    /// <summary>The set values as <c>key=value</c>, comma-separated, in key order ("" when none is set).</summary>
    public override string ToString() =>
        string.Join(",", _values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
