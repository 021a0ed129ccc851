namespace Octopus.Contracts.Agents;

/// <summary>Reads the detail of an RFC 7807 problem answer (or the raw text).</summary>
public static class AgentProblems
{
    /// <summary>Carries the reason of a refused console WebSocket (ASCII): a WebSocket client sees the status and headers of
    /// a refused upgrade, never its body.</summary>
    public const string RefusedHeader = "X-Octopus-Refused";

    public static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail) return detail;
        }
        catch (System.Text.Json.JsonException)
        {
            // not a problem document
        }
        return $"HTTP {(int)response.StatusCode} {text}".Trim();
    }
}
