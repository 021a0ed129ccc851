using System.Runtime.CompilerServices;
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
            var page = await api.GetAsync<Page<T>>(PageUrl(path, query, cursor, pageSize), ct).ConfigureAwait(false);
            foreach (var item in page.Items) yield return item;
            cursor = page.NextCursor;
            // A server that hands back a cursor it already gave would loop us forever; stop loudly instead.
            if (cursor is not null && !seen.Add(cursor))
                throw new OctopusApiException(System.Net.HttpStatusCode.OK, "client.cursor-loop", null, "Paging loop",
                    $"The server returned the cursor '{cursor}' twice while listing {path}; stopping.");
        } while (cursor is not null);
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
