namespace Octopus.Client;

// Connecting the way scripts do: from the environment or the CLI's login, with no code that names a server.
public sealed partial class OctopusClient
{
    /// <summary>A client for the server and token <see cref="OctopusConnectionSettings.FromEnvironment"/> finds
    /// (<c>OCTOPUS_URL</c>/<c>OCTOPUS_TOKEN</c>, else the CLI's <c>octopus login</c>). Throws
    /// <see cref="InvalidOperationException"/> saying what to do when there is no token. Sends nothing yet.</summary>
    public static OctopusClient Connect(OctopusClientOptions? options = null) => Connect(OctopusConnectionSettings.FromEnvironment(), options);

    /// <summary>A client for <paramref name="settings"/>; they must carry a token.</summary>
    public static OctopusClient Connect(OctopusConnectionSettings settings, OctopusClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Token is null)
            throw new InvalidOperationException(
                $"No Octopus token for {settings.Url}: set OCTOPUS_TOKEN (and OCTOPUS_URL), or run `octopus login --url {settings.Url} --user NAME` first.");
        return new OctopusClient(settings.Url, settings.Token, options);
    }

    /// <summary>Blocking <see cref="GetMeAsync"/>: who the token belongs to.</summary>
    public Contracts.MeDto Me() => GetMeAsync().GetAwaiter().GetResult();
}
