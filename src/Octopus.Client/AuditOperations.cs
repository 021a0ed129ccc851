using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>The audit log: <c>/api/v1/audit</c>, newest first.</summary>
public sealed class AuditOperations
{
    private readonly ApiConnection _api;

    internal AuditOperations(ApiConnection api) => _api = api;

    /// <summary>Every entry the caller may see, following pages as the stream is read; stop reading to stop fetching.</summary>
    public IAsyncEnumerable<AuditEntryDto> ListAsync(int? pageSize = null, CancellationToken ct = default) =>
        ListAsync(new AuditQuery(), pageSize, ct);

    /// <summary>The entries matching <paramref name="query"/> (actor, target), newest first, following pages as the stream is read.</summary>
    public IAsyncEnumerable<AuditEntryDto> ListAsync(AuditQuery query, int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<AuditEntryDto>(_api, ApiRoutes.Audit, (query ?? new AuditQuery()).ToQueryString(), pageSize, ct);

    /// <summary>One page of entries; pass the previous page's <see cref="Page{T}.NextCursor"/> for the next one.</summary>
    public Task<Page<AuditEntryDto>> ListPageAsync(string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        ListPageAsync(new AuditQuery(), cursor, limit, ct);

    /// <summary>One page of the entries matching <paramref name="query"/>.</summary>
    public Task<Page<AuditEntryDto>> ListPageAsync(AuditQuery query, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        _api.GetAsync<Page<AuditEntryDto>>(Paging.PageUrl(ApiRoutes.Audit, (query ?? new AuditQuery()).ToQueryString(), cursor, limit), ct);
}
