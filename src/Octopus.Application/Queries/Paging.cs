using System.Globalization;
using Octopus.Domain;

namespace Octopus.Application.Queries;

/// <summary>Opaque cursors for list endpoints (an offset today; callers must not depend on that).</summary>
public static class Paging
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    public static (int Offset, int Limit) Parse(string? cursor, int? limit)
    {
        var l = limit ?? DefaultLimit;
        if (l < 1 || l > MaxLimit) throw DomainException.Invalid("limit", $"limit must be between 1 and {MaxLimit}; got {l}.");
        if (string.IsNullOrEmpty(cursor)) return (0, l);
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text[2..], CultureInfo.InvariantCulture, out var o) && o >= 0) return (o, l);
        }
        catch (FormatException) { }
        throw DomainException.Invalid("cursor", "The cursor is not one this server gave out; start again without it.");
    }

    /// <summary>Cuts one page out of <paramref name="items"/> (already skipped to the offset, with one extra item fetched
    /// to learn whether more exist) and makes the cursor for the next.</summary>
    public static Contracts.Page<T> Page<T>(IReadOnlyList<T> items, int offset, int limit) => new(
        [.. items.Take(limit)],
        items.Count > limit ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"o:{offset + limit}")) : null);
}
