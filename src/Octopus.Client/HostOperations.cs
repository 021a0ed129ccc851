using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Compute nodes: <c>/api/v1/hosts</c>. Hosts are named by id or name.</summary>
public sealed class HostOperations
{
    private readonly ApiConnection _api;

    internal HostOperations(ApiConnection api) => _api = api;

    /// <summary>Every host, following pages as the stream is read.</summary>
    public IAsyncEnumerable<HostDto> ListAsync(int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<HostDto>(_api, ApiRoutes.Hosts, QueryString.Empty, pageSize, ct);

    public Task<HostDto> GetAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<HostDto>(ApiRoutes.Host(idOrName), ct);

    /// <summary>Puts a host into maintenance (no new VMs are placed on it) or takes it out (admin).</summary>
    public Task<HostDto> SetMaintenanceAsync(string idOrName, bool enabled, CancellationToken ct = default) =>
        _api.SendJsonAsync<HostDto>(HttpMethod.Post, ApiRoutes.HostMaintenance(idOrName), new MaintenanceRequest(enabled), ct);
}
