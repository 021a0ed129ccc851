using System.Net;
using System.Text.Json;

namespace Octopus.Client;

/// <summary>Reads an RFC 7807 problem-details body (or whatever else an error response carries) into an
/// <see cref="OctopusApiException"/>.</summary>
internal static class ProblemReader
{
    public static async Task<OctopusApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return Parse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    public static OctopusApiException Parse(HttpStatusCode status, string body, string? mediaType)
    {
        if (!string.IsNullOrWhiteSpace(body) && mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var root = doc.RootElement;
                    return new OctopusApiException(status, Str(root, "code"), Str(root, "field"), Str(root, "title"),
                        Str(root, "detail"), Errors(root));
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through and report the raw text.
            }
        }

        // Proxies and crashed servers answer with plain text or HTML; keep it short but show it.
        var snippet = body.Length > 300 ? body[..300] + "…" : body;
        var detail = string.IsNullOrWhiteSpace(snippet) ? null : $"The server answered {(int)status} {status}: {snippet.Trim()}";
        return new OctopusApiException(status, null, null, status.ToString(), detail);
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Dictionary<string, string[]>? Errors(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object) return null;
        var result = new Dictionary<string, string[]>();
        foreach (var field in errors.EnumerateObject())
        {
            result[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                ? field.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.ToString()).ToArray()
                : [field.Value.ToString()];
        }
        return result;
    }
}
