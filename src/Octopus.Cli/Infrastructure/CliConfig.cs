using System.Text.Json;
using System.Text.Json.Serialization;

namespace Octopus.Cli.Infrastructure;

/// <summary>What <c>octopus login</c> remembers: the server and the token for it.</summary>
public sealed record CliConfig
{
    public string? Url { get; init; }
    public string? Token { get; init; }
    public string? Username { get; init; }
    public string? Role { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Reads and writes the per-user config file. Location: <c>$OCTOPUS_CONFIG</c> when set, else
/// <c>$XDG_CONFIG_HOME/octopus/config.json</c>, else <c>~/.config/octopus/config.json</c>. The file holds a bearer
/// token, so it is created with mode 0600 (its folder 0700) and replaced atomically.</summary>
public sealed class ConfigStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public ConfigStore(string path) => Path = path;

    public string Path { get; }

    public static ConfigStore Locate(Func<string, string?> env)
    {
        var explicitPath = env("OCTOPUS_CONFIG");
        if (!string.IsNullOrWhiteSpace(explicitPath)) return new ConfigStore(System.IO.Path.GetFullPath(explicitPath));
        var xdg = env("XDG_CONFIG_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : System.IO.Path.Combine(env("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new ConfigStore(System.IO.Path.Combine(root, "octopus", "config.json"));
    }

    /// <summary>The saved config, or an empty one when there is none yet.</summary>
    public CliConfig Load()
    {
        if (!File.Exists(Path)) return new CliConfig();
        try
        {
            return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(Path), Json) ?? new CliConfig();
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"the config file {Path} is not valid JSON ({e.Message}).",
                "Fix or delete it, then run `octopus login` again.");
        }
    }

    public void Save(CliConfig config)
    {
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
            else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Write a private temp file, then rename: readers never see half a file and the token is never world-readable.
        var temp = Path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
            JsonSerializer.Serialize(stream, config, Json);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, Path, overwrite: true);
    }
}
