using Octopus.Cli.Rendering;
using Octopus.Client;

namespace Octopus.Cli.Infrastructure;

/// <summary>One invocation's view of the world: global flags, the saved config, the output, and how to reach the
/// server. Resolution order for the server and the token: <c>--url</c>/<c>--token</c>, then <c>OCTOPUS_URL</c>/
/// <c>OCTOPUS_TOKEN</c>, then the config file written by <c>octopus login</c>.</summary>
public sealed class CliContext
{
    /// <summary>Where a server started with <c>octopus serve</c> listens unless told otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private readonly string? _urlFlag;
    private readonly string? _tokenFlag;
    private CliConfig? _config;

    public CliContext(CliHost host, bool json, string? urlFlag, string? tokenFlag)
    {
        Host = host;
        Json = json;
        _urlFlag = urlFlag;
        _tokenFlag = tokenFlag;
        ConfigStore = ConfigStore.Locate(host.GetEnvironmentVariable);
        Output = new Output(host, json);
    }

    public CliHost Host { get; }

    /// <summary>True with <c>--json</c>: stdout carries only the DTOs as JSON.</summary>
    public bool Json { get; }

    public Output Output { get; }
    public ConfigStore ConfigStore { get; }
    public CliConfig Config => _config ??= ConfigStore.Load();

    /// <summary>True when the URL came from a flag or the environment rather than the saved config.</summary>
    public bool UrlOverridden => ExplicitUrl() is not null;

    private string? ExplicitUrl() =>
        NonEmpty(_urlFlag) ?? NonEmpty(Host.GetEnvironmentVariable("OCTOPUS_URL"));

    /// <summary>The server to talk to; <see cref="DefaultUrl"/> when nothing says otherwise.</summary>
    public Uri ResolveUrl() => ParseUrl(ExplicitUrl() ?? NonEmpty(Config.Url) ?? DefaultUrl);

    /// <summary>The bearer token for <paramref name="url"/>, or null. The saved token is used only for the server it
    /// was issued by, so <c>--url</c> pointing elsewhere does not leak it.</summary>
    public string? ResolveToken(Uri url)
    {
        var explicitToken = NonEmpty(_tokenFlag) ?? NonEmpty(Host.GetEnvironmentVariable("OCTOPUS_TOKEN"));
        if (explicitToken is not null) return explicitToken;
        if (NonEmpty(Config.Token) is null || NonEmpty(Config.Url) is null) return null;
        return SameServer(ParseUrl(Config.Url!), url) ? Config.Token : null;
    }

    /// <summary>A client with the caller's token; <see cref="ExitCodes.NotLoggedIn"/> when there is none.</summary>
    public OctopusClient Connect()
    {
        var url = ResolveUrl();
        var token = ResolveToken(url) ?? throw CliException.NotLoggedIn(
            $"not logged in to {url}.",
            $"Run `octopus login --url {url} --user NAME` (or pass --token / set OCTOPUS_TOKEN).");
        return new OctopusClient(url, token, Host.ClientOptions, NewHandler());
    }

    /// <summary>A client without a token, for health and login.</summary>
    public OctopusClient ConnectAnonymous(Uri url) => new(url, null, Host.ClientOptions, NewHandler());

    /// <summary>The handler a new client should use: null for real sockets, else the test's (clients do not dispose it).</summary>
    public HttpMessageHandler? NewHandler() => Host.HttpHandler;

    /// <summary>Accepts "http://host:port", "https://…" and, for convenience, a bare "host:port" (http is assumed).</summary>
    public static Uri ParseUrl(string text)
    {
        var t = text.Trim();
        if (!t.Contains("://", StringComparison.Ordinal)) t = "http://" + t;
        if (!Uri.TryCreate(t, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
            throw CliException.Usage($"'{text}' is not a server URL.", "Write it like http://127.0.0.1:5080.");
        return uri;
    }

    private static bool SameServer(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        || Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
           && a.AbsolutePath.TrimEnd('/') == b.AbsolutePath.TrimEnd('/');

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
