namespace Octopus.Application.Queries;

/// <summary>The query of <c>GET /api/v1/vms</c>: filters (owner, state, host, tag), a search text (<c>q</c>), an order
/// (<c>sort</c>) and a page (<c>cursor</c>, <c>limit</c>). Null means "any" / the default.</summary>
public sealed record VmListRequest(
    string? Owner = null, string? State = null, string? Host = null, string? Tag = null, string? Search = null,
    string? Sort = null, string? Cursor = null, int? Limit = null);
