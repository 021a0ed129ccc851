using System.Text.Json;

namespace Octopus.Client;

/// <summary>Where a script's server and token come from, in the CLI's order: <c>OCTOPUS_URL</c>/<c>OCTOPUS_TOKEN</c>,
/// then the config file <c>octopus login</c> writes (<c>$OCTOPUS_CONFIG</c>, else <c>$XDG_CONFIG_HOME/octopus/config.json</c>,
/// else <c>~/.config/octopus/config.json</c>), then <see cref="DefaultUrl"/>. The saved token is used only for the
/// server it was issued by, so pointing <c>OCTOPUS_URL</c> elsewhere does not send it there.</summary>
public sealed record OctopusConnectionSettings(Uri Url, string? Token, string Source)
{
    /// <summary>Where <c>octopus serve</c> listens unless told otherwise.</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5080");

    /// <summary>Resolves the settings from the process environment and the CLI's config file.</summary>
    public static OctopusConnectionSettings FromEnvironment() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromEnvironment"/> with the variables read through <paramref name="env"/> (tests).</summary>
    public static OctopusConnectionSettings Resolve(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var config = ReadConfig(ConfigPath(env));
        var envUrl = NonEmpty(env("OCTOPUS_URL"));
        var url = ParseUrl(envUrl ?? NonEmpty(config?.Url) ?? DefaultUrl.AbsoluteUri);
        var envToken = NonEmpty(env("OCTOPUS_TOKEN"));
        if (envToken is not null) return new(url, envToken, "OCTOPUS_TOKEN");
        if (config is { Token: { Length: > 0 } token, Url: { Length: > 0 } saved } && SameServer(ParseUrl(saved), url))
            return new(url, token, ConfigPath(env));
        return new(url, null, envUrl is not null ? "OCTOPUS_URL" : "default");
    }

    /// <summary>The config file the CLI's <c>octopus login</c> writes.</summary>
    public static string ConfigPath(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (NonEmpty(env("OCTOPUS_CONFIG")) is { } explicitPath) return Path.GetFullPath(explicitPath);
        var root = NonEmpty(env("XDG_CONFIG_HOME"))
            ?? Path.Combine(NonEmpty(env("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(root, "octopus", "config.json");
    }

    private static SavedConfig? ReadConfig(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SavedConfig>(File.ReadAllText(path), ApiConnection.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The Octopus config file {path} is not valid JSON ({e.Message}); fix or delete it, then run `octopus login` again.", e);
        }
    }

    private static Uri ParseUrl(string text)
    {
        var t = text.Trim();
        if (!t.Contains("://", StringComparison.Ordinal)) t = "http://" + t;
        if (!Uri.TryCreate(t, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{text}' is not a server URL; write it like http://127.0.0.1:5080.", nameof(text));
        return uri;
    }

    private static bool SameServer(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && a.AbsolutePath.TrimEnd('/') == b.AbsolutePath.TrimEnd('/');

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private sealed record SavedConfig(string? Url, string? Token);
}
