using System.Runtime.CompilerServices;
using System.Text.Json;
using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Follows <see cref="Page{T}.NextCursor"/> so callers see one stream of items.</summary>
internal static class Paging
{
    public static async IAsyncEnumerable<T> FollowAsync<T>(ApiConnection api, string path, QueryString query, int? pageSize,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = ToPage<T>(await api.GetAsync<JsonElement>(PageUrl(path, query, cursor, pageSize), ct).ConfigureAwait(false), path);
            foreach (var item in page.Items) yield return item;
            cursor = page.NextCursor;
            // A server that hands back a cursor it already gave would loop us forever; stop loudly instead.
            if (cursor is not null && !seen.Add(cursor))
                throw new OctopusApiException(System.Net.HttpStatusCode.OK, "client.cursor-loop", null, "Paging loop",
                    $"The server returned the cursor '{cursor}' twice while listing {path}; stopping.");
        } while (cursor is not null);
    }

    /// <summary>Reads a <see cref="Page{T}"/>; a bare JSON array is accepted as a single, last page, because some list
    /// endpoints (hosts) are small enough that the server does not page them.</summary>
    internal static Page<T> ToPage<T>(JsonElement body, string path)
    {
        try
        {
            return body.ValueKind switch
            {
                JsonValueKind.Array => new Page<T>(body.Deserialize<List<T>>(ApiConnection.Json) ?? [], null),
                JsonValueKind.Object => body.Deserialize<Page<T>>(ApiConnection.Json) ?? new Page<T>([], null),
                _ => throw new JsonException($"expected a page or an array, got {body.ValueKind}"),
            };
        }
        catch (JsonException e)
        {
            throw new OctopusApiException(System.Net.HttpStatusCode.OK, "client.bad-response", null, "Unreadable response",
                $"The server's answer to GET {path} was not a list of {typeof(T).Name}: {e.Message}");
        }
    }

    public static string PageUrl(string path, QueryString query, string? cursor, int? limit) =>
        path + query.With("cursor", cursor).With("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>An immutable query string; null values are left out.</summary>
internal readonly record struct QueryString(string Text)
{
    public static QueryString Empty => new("");

    public QueryString With(string name, string? value) =>
        value is null ? this : new((string.IsNullOrEmpty(Text) ? "?" : Text + "&") + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value));

    public override string ToString() => Text ?? "";

    public static implicit operator string(QueryString q) => q.ToString();
}
