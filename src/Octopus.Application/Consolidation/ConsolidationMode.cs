using Octopus.Domain;
using Octopus.Persistence.Records;
using Octopus.Persistence.Settings;
using Octopus.Application.Configuration;

namespace Octopus.Application.Consolidation;

/// <summary>How the consolidation engine's plans are used: applied every interval, only proposed, or not computed.</summary>
public enum ConsolidationMode
{
    Automatic,
    Manual,
    Off,
}

/// <summary>The cluster-wide consolidation mode: starts from configuration, changed at run time by admins, and kept in
/// the store's <c>Settings</c> table (key <see cref="SettingKeys.ConsolidationMode"/>), so it survives a restart and every
/// server process reads the same mode.</summary>
public sealed class ConsolidationModeStore(Microsoft.Extensions.Options.IOptions<SchedulerOptions> settings, SettingsStore store)
{
    /// <summary>The stored mode, or the configured one until an admin sets one.</summary>
    public ConsolidationMode Mode =>
        store.Get(SettingKeys.ConsolidationMode) is { } text && Enum.TryParse<ConsolidationMode>(text, true, out var m) ? m : settings.Value.Mode();

    public static ConsolidationMode Parse(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "automatic" or "auto" => ConsolidationMode.Automatic,
            "manual" => ConsolidationMode.Manual,
            "off" => ConsolidationMode.Off,
            _ => throw DomainException.Invalid("mode", $"'{text}' is not a consolidation mode; use automatic, manual or off."),
        };

    public void Set(ConsolidationMode mode) => store.Set(SettingKeys.ConsolidationMode, mode.ToString().ToLowerInvariant());
}
