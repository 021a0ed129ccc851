using Octopus.Policies.Language;
using Octopus.Application.Configuration;

namespace Octopus.Application.Policies;

/// <summary>The <c>Octopus:Policies</c> section. Durations are written like the policy language's (<c>90d</c>, <c>30s</c>)
/// or as time spans (<c>00:00:30</c>).</summary>
public sealed class PoliciesSection : ISettingsSection<PolicySettings>
{
    public const string Section = "Octopus:Policies";
    public static string Path => Section;
    public PolicySettings ToSettings() => PolicySettings.From(this);

    /// <summary>The longest lease a user may set or extend to, counted from now (default 90d; 1h to 3650d).</summary>
    public string? MaxLease { get; set; }

    /// <summary>How often the policy loop looks for due policies, events and retries (default 10s; 1s to 1h).</summary>
    public string? Interval { get; set; }

    /// <summary>How often telemetry readings are added to the CPU history policies read (default 30s; 1s to 10m).</summary>
    public string? SampleEvery { get; set; }

    /// <summary>Whether the loop records telemetry into the CPU history (default true; tests feed it themselves).</summary>
    public bool? SampleTelemetry { get; set; }

    /// <summary>How long before a lease ends the <c>leaseExpiring</c> event fires (default 24h).</summary>
    public string? LeaseWarning { get; set; }

    /// <summary>Time limit of one run of a C# script policy (default 5s; at most 5m).</summary>
    public string? ScriptTimeout { get; set; }
}

/// <summary>Validated policy settings.</summary>
public sealed record PolicySettings(TimeSpan MaxLease, TimeSpan Interval, TimeSpan SampleEvery, bool SampleTelemetry, TimeSpan LeaseWarning,
    TimeSpan ScriptTimeout)
{
    public static PolicySettings Default { get; } = new(TimeSpan.FromDays(90), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), true,
        TimeSpan.FromHours(24), TimeSpan.FromSeconds(5));

    /// <summary>Reads and checks the section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static PolicySettings From(IConfiguration configuration) => SettingsSections.Read<PoliciesSection, PolicySettings>(configuration);

    /// <summary>Checks the bound section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static PolicySettings From(PoliciesSection s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var d = Default;
        return new PolicySettings(
            Duration(s.MaxLease, "MaxLease", d.MaxLease, TimeSpan.FromHours(1), TimeSpan.FromDays(3650)),
            Duration(s.Interval, "Interval", d.Interval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            Duration(s.SampleEvery, "SampleEvery", d.SampleEvery, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            s.SampleTelemetry ?? true,
            Duration(s.LeaseWarning, "LeaseWarning", d.LeaseWarning, TimeSpan.Zero, TimeSpan.FromDays(365)),
            Duration(s.ScriptTimeout, "ScriptTimeout", d.ScriptTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)));
    }

    private static TimeSpan Duration(string? text, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var full = $"{PoliciesSection.Section}:{key}";
        if (!DurationText.TryParse(text.Trim(), out var value, out var error) &&
            !TimeSpan.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, out value))
            throw new ConfigurationException(full, $"'{text}' is not a duration ({error}); write e.g. 90d, 12h, 30s or 00:00:30.");
        if (value < min || value > max)
            throw new ConfigurationException(full, $"{DurationText.Format(value)} is out of range ({DurationText.Format(min)} to {DurationText.Format(max)}).");
        return value;
    }
}
