using System.Text;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Vms;

/// <summary>What a VM list can be ordered by. Every order ends with the VM's id, so it is total and keyset paging
/// never skips or repeats a row.</summary>
public enum VmSortKey
{
    /// <summary>Creation time (the default: new VMs go to the end).</summary>
    Created,
    Name,
    /// <summary>The owner's user name.</summary>
    Owner,
    /// <summary>The host's name; unplaced VMs first.</summary>
    Host,
    State,
}

/// <summary>An order: a key and a direction.</summary>
public sealed record VmSort(VmSortKey Key, bool Descending = false);

/// <summary>Which VMs a list shows; null means "any". <see cref="Search"/> matches, ignoring case, a part of the VM's
/// name, a tag, the owner's name, the host's name, or a NIC's IP or MAC address.</summary>
public sealed record VmListFilter(UserId? Owner = null, VmState? State = null, HostId? Host = null, string? Tag = null, string? Search = null);

/// <summary>Where a page starts: after the row with this sort key value (a string, or UTC ticks for
/// <see cref="VmSortKey.Created"/>) and this id.</summary>
public sealed record VmKeyset(object Key, Guid Id);

/// <summary>One page of VMs, the total that match the filter (whatever the page), and each row's sort key value
/// (for the next page's <see cref="VmKeyset"/>).</summary>
public sealed record VmListPage(IReadOnlyList<Vm> Items, long Total, bool HasMore, VmKeyset? Last);

/// <summary>Filters, orders and pages the <c>Vms</c> table in SQL: keyset paging (<c>WHERE (key, id) &gt; (last)</c>),
/// so page 50 costs what page 1 does and a VM created or deleted between two pages never shifts the next one; the
/// total is a <c>COUNT(*)</c> with the same filter. Raw SQL because EF cannot compare or search inside value-converted
/// columns (<see cref="VmName"/>); the SQL is standard except "contains" (SQLite's <c>instr</c>, PostgreSQL's
/// <c>strpos</c>) and the form of an id parameter, which the context's <see cref="Providers.IStoreProvider"/> gives.</summary>
public static class VmListing
{
    /// <summary>The SQL expression each key orders by (owner and host names by subquery, so no join multiplies rows).</summary>
    private static string Expression(VmSortKey key) => key switch
    {
        VmSortKey.Created => "v.\"CreatedAt\"",
        VmSortKey.Name => "v.\"Name\"",
        VmSortKey.State => "v.\"State\"",
        VmSortKey.Owner => "(SELECT u.\"Name\" FROM \"Users\" u WHERE u.\"Id\" = v.\"OwnerId\")",
        VmSortKey.Host => "COALESCE((SELECT h.\"Name\" FROM \"Hosts\" h WHERE h.\"Id\" = v.\"HostId\"), '')",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "unknown sort key"),
    };

    public static async Task<VmListPage> ReadPageAsync(OctopusDbContext db, VmListFilter filter, VmSort sort, VmKeyset? after, int take,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        var sqlDialect = db.Provider;
        string Contains(string haystack, string needle) => sqlDialect.ContainsSql(haystack, needle);
        var parameters = new List<object>();
        string P(object value)
        {
            parameters.Add(value);
            return "{" + (parameters.Count - 1) + "}";
        }

        var where = new StringBuilder("1 = 1");
        if (filter.Owner is { } owner) where.Append(" AND v.\"OwnerId\" = ").Append(P(sqlDialect.IdParameter(owner.Value)));
        if (filter.State is { } state) where.Append(" AND v.\"State\" = ").Append(P(state.ToString()));
        if (filter.Host is { } host) where.Append(" AND v.\"HostId\" = ").Append(P(sqlDialect.IdParameter(host.Value)));
        // Tags are stored as a JSON list of strings; a tag's characters never need escaping, so "tag" (with its quotes)
        // appears in the text exactly when the VM has that tag.
        if (filter.Tag is { } tag) where.Append(" AND ").Append(Contains("v.\"Tags\"", P("\"" + tag + "\"")));
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var s = P(filter.Search.Trim().ToLowerInvariant());
            where.Append(" AND (").Append(Contains("lower(v.\"Name\")", s))
                .Append(" OR ").Append(Contains("lower(v.\"Tags\")", s))
                .Append(" OR ").Append(Contains("lower(" + Expression(VmSortKey.Owner) + ")", s))
                .Append(" OR ").Append(Contains("lower(" + Expression(VmSortKey.Host) + ")", s))
                .Append(" OR EXISTS (SELECT 1 FROM \"Nics\" n WHERE n.\"VmId\" = v.\"Id\" AND (").Append(Contains("n.\"Address\"", s))
                .Append(" OR ").Append(Contains("lower(n.\"Mac\")", s)).Append(")))");
        }
        var filtered = where.ToString();
        var countParameters = parameters.ToArray();

        var key = Expression(sort.Key);
        var page = new StringBuilder(filtered);
        if (after is not null)
        {
            var op = sort.Descending ? "<" : ">";
            var k = P(after.Key);
            var id = P(sqlDialect.IdParameter(after.Id));
            // (key, id) after (k, id'), written so that an index on (key, id) seeks to k rather than scans from the start:
            // key >= k AND (key > k OR id > id'), the same rows as key > k OR (key = k AND id > id').
            page.Append(" AND ").Append(key).Append(' ').Append(op).Append("= ").Append(k)
                .Append(" AND (").Append(key).Append(' ').Append(op).Append(' ').Append(k)
                .Append(" OR v.\"Id\" ").Append(op).Append(' ').Append(id).Append(')');
        }
        var direction = sort.Descending ? " DESC" : "";
        var sql = $"SELECT v.\"Id\" AS \"Value\" FROM \"Vms\" v WHERE {page} ORDER BY {key}{direction}, v.\"Id\"{direction} LIMIT {take + 1}";

        // The page's ids in order from SQL, then the rows by id (EF cannot map FromSql onto an entity with complex
        // properties renamed by column, as Geometry is).
        var ids = (await db.Database.SqlQueryRaw<Guid>(sql, [.. parameters]).ToListAsync(ct)).Select(t => new VmId(t)).ToList();
        var byId = await db.Vms.AsNoTracking().Where(v => ids.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
        var rows = ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        // Every value is a parameter; the text is built only from the fixed fragments above.
        var countSql = "SELECT COUNT(*) AS \"Value\" FROM \"Vms\" v WHERE " + filtered;
        var total = await db.Database.SqlQueryRaw<long>(countSql, countParameters)
            .SingleAsync(ct);
        var items = rows.Count > take ? rows.GetRange(0, take) : rows;
        VmKeyset? last = null;
        if (items.Count > 0)
        {
            var lastVm = items[^1];
            last = new VmKeyset(await KeyOfAsync(db, lastVm, sort.Key, ct), lastVm.Id.Value);
        }
        return new VmListPage(items, total, rows.Count > take, last);
    }

    /// <summary>The value <paramref name="vm"/> has under <paramref name="key"/>, exactly as the SQL expression gives it.</summary>
    private static async Task<object> KeyOfAsync(OctopusDbContext db, Vm vm, VmSortKey key, CancellationToken ct) => key switch
    {
        VmSortKey.Created => vm.CreatedAt.UtcTicks,
        VmSortKey.Name => vm.Name.Value,
        VmSortKey.State => vm.State.ToString(),
        VmSortKey.Owner => await db.Users.AsNoTracking().Where(u => u.Id == vm.OwnerId).Select(u => u.Name).FirstOrDefaultAsync(ct) is { } n ? n.Value : "",
        VmSortKey.Host => vm.HostId is { } h ? await db.Hosts.AsNoTracking().Where(x => x.Id == h).Select(x => x.Name).FirstOrDefaultAsync(ct) ?? "" : "",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "unknown sort key"),
    };
}
