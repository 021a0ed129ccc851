using System.Text.Json;
using Octopus.Domain;
using Octopus.Server.Configuration;

namespace Octopus.Server.Consolidation;

/// <summary>How the consolidation engine's plans are used: applied every interval, only proposed, or not computed.</summary>
public enum ConsolidationMode
{
    Automatic,
    Manual,
    Off,
}

/// <summary>The cluster-wide consolidation mode: starts from configuration, changed at run time by admins, and kept
/// across restarts in <c>DATA/consolidation.json</c> (a setting, not domain state; written atomically).</summary>
public sealed class ConsolidationModeStore
{
    private readonly string _file;
    private readonly Lock _gate = new();
    private ConsolidationMode _mode;

    public ConsolidationModeStore(ServerSettings settings)
    {
        _file = Path.Combine(settings.DataDirectory, "consolidation.json");
        _mode = settings.ConsolidationMode;
        if (!File.Exists(_file)) return;
        try
        {
            var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(_file));
            if (saved is not null && Enum.TryParse<ConsolidationMode>(saved.Mode, true, out var m)) _mode = m;
        }
        catch (JsonException)
        {
            // A damaged settings file must not stop the server: the configured mode stands until an admin sets one.
        }
    }

    public ConsolidationMode Mode
    {
        get { lock (_gate) return _mode; }
    }

    public static ConsolidationMode Parse(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "automatic" or "auto" => ConsolidationMode.Automatic,
            "manual" => ConsolidationMode.Manual,
            "off" => ConsolidationMode.Off,
            _ => throw DomainException.Invalid("mode", $"'{text}' is not a consolidation mode; use automatic, manual or off."),
        };

    public void Set(ConsolidationMode mode)
    {
        lock (_gate)
        {
            _mode = mode;
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var tmp = _file + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(new Saved { Mode = mode.ToString() }));
            File.Move(tmp, _file, overwrite: true);
        }
    }

    private sealed class Saved
    {
        public string Mode { get; set; } = "";
    }
}
