using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>The audit log: <c>/api/v1/audit</c>, newest first.</summary>
public sealed class AuditOperations
{
    private readonly ApiConnection _api;

    internal AuditOperations(ApiConnection api) => _api = api;

    /// <summary>Every entry the caller may see, following pages as the stream is read; stop reading to stop fetching.</summary>
    public IAsyncEnumerable<AuditEntryDto> ListAsync(int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<AuditEntryDto>(_api, ApiRoutes.Audit, QueryString.Empty, pageSize, ct);

    public Task<Page<AuditEntryDto>> ListPageAsync(string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        _api.GetAsync<Page<AuditEntryDto>>(Paging.PageUrl(ApiRoutes.Audit, QueryString.Empty, cursor, limit), ct);
}
