using System.Text;
using System.Text.Json;
using Octopus.Domain;
using Octopus.Persistence.Vms;

namespace Octopus.Application.Queries;

/// <summary>The VM list's <c>sort</c> parameter and its opaque keyset cursor: the order it was made for, the last row's
/// sort key and id. A cursor only continues the order it was made for.</summary>
public static class VmListCursor
{
    private static readonly string[] Keys = ["created", "name", "owner", "host", "state"];

    /// <summary><c>name</c>, <c>-name</c> (descending) …; null or empty is <c>created</c>.</summary>
    public static VmSort ParseSort(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new VmSort(VmSortKey.Created);
        var t = text.Trim();
        var descending = t.StartsWith('-');
        var name = descending ? t[1..] : t;
        var key = Array.IndexOf(Keys, name.ToLowerInvariant());
        if (key < 0) throw DomainException.Invalid("sort", $"'{text}' is not a sort order; use one of {string.Join(", ", Keys)}, with a leading '-' to reverse.");
        return new VmSort((VmSortKey)key, descending);
    }

    public static string Format(VmSort sort, VmKeyset last)
    {
        var json = JsonSerializer.Serialize(new Cursor(Name(sort), last.Key is long ticks ? null : (string)last.Key, last.Key is long t ? t : null, last.Id));
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static VmKeyset? Parse(string? cursor, VmSort sort)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        Cursor? c = null;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            c = JsonSerializer.Deserialize<Cursor>(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException) { }
        if (c is null || (c.S is null && c.N is null))
            throw DomainException.Invalid("cursor", "The cursor is not one this server gave out; start again without it.");
        if (c.O != Name(sort))
            throw DomainException.Invalid("cursor", $"The cursor continues the order '{c.O}', not '{Name(sort)}'; start again without it when changing the order.");
        object key = sort.Key == VmSortKey.Created ? c.N ?? throw Bad() : c.S ?? throw Bad();
        return new VmKeyset(key, c.I);
    }

    private static DomainException Bad() => DomainException.Invalid("cursor", "The cursor is not one this server gave out; start again without it.");

    private static string Name(VmSort sort) => (sort.Descending ? "-" : "") + Keys[(int)sort.Key];

    /// <summary>O = order, S = string key, N = numeric key (ticks), I = the last row's id.</summary>
    private sealed record Cursor(string O, string? S, long? N, Guid I);
}
