using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Filters for <see cref="JournalOperations"/>: <see cref="Status"/> pending, running, succeeded, failed, open or
/// finished; <see cref="Vm"/> a VM's id or name; <see cref="Kind"/> create-vm, start-vm, …; <see cref="Mine"/> (admins)
/// only the caller's own.</summary>
public sealed record OperationQuery(string? Status = null, string? Vm = null, string? Kind = null, bool Mine = false)
{
    internal QueryString ToQueryString() => QueryString.Empty.With("status", Status).With("vm", Vm).With("kind", Kind)
        .With("mine", Mine ? "true" : null);
}

/// <summary>The operations journal: what the caller's VMs are doing or did (admins: the whole cluster), newest first.</summary>
public sealed class JournalOperations
{
    private readonly ApiConnection _api;

    internal JournalOperations(ApiConnection api) => _api = api;

    /// <summary>Every matching operation, following pages as the enumeration goes.</summary>
    public IAsyncEnumerable<OperationDto> ListAsync(OperationQuery? query = null, int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<OperationDto>(_api, ApiRoutes.Operations, (query ?? new OperationQuery()).ToQueryString(), pageSize, ct);

    /// <summary>One page; pass its NextCursor back for the next.</summary>
    public Task<Page<OperationDto>> ListPageAsync(OperationQuery? query = null, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        _api.GetAsync<Page<OperationDto>>(Paging.PageUrl(ApiRoutes.Operations, (query ?? new OperationQuery()).ToQueryString(), cursor, limit), ct);

    /// <summary>One operation with its steps (404 for another user's).</summary>
    public Task<OperationDto> GetAsync(string id, CancellationToken ct = default) => _api.GetAsync<OperationDto>(ApiRoutes.Operation(id), ct);

    /// <summary>Polls the operation until it has succeeded or failed, or <paramref name="timeout"/> (default 5 min) passed:
    /// then a <see cref="TimeoutException"/> naming its status.</summary>
    public async Task<OperationDto> WaitAsync(string id, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var until = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (true)
        {
            var op = await GetAsync(id, ct).ConfigureAwait(false);
            if (op.Status is "Succeeded" or "Failed") return op;
            if (DateTimeOffset.UtcNow >= until)
                throw new TimeoutException($"operation {id} ({op.Kind}) is still {op.Status} after {(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds:0} s.");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }
}
