using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Networks VMs attach to: <c>/api/v1/networks</c>. Networks are named by id or name.</summary>
public sealed class NetworkOperations
{
    private readonly ApiConnection _api;

    internal NetworkOperations(ApiConnection api) => _api = api;

    /// <summary>The networks the caller may attach VMs to (admins: all), with used and free address counts.</summary>
    public Task<IReadOnlyList<NetworkDto>> ListAsync(CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<NetworkDto>>(ApiRoutes.Networks, ct);

    /// <summary>One network; <see cref="OctopusApiException"/> with 404 when there is none (or the caller may not use it).</summary>
    public Task<NetworkDto> GetAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<NetworkDto>(ApiRoutes.Network(idOrName), ct);

    /// <summary>The network's used addresses, each with the VM holding it (admins: every VM; users: their own VMs).</summary>
    public Task<IReadOnlyList<NetworkAddressDto>> AddressesAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<NetworkAddressDto>>(ApiRoutes.NetworkAddresses(idOrName), ct);

    /// <summary>Creates a network (admin). A bad or overlapping subnet, a range outside it or a gateway inside the range
    /// is refused with 400 naming the field.</summary>
    public Task<NetworkDto> CreateAsync(NetworkCreateRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<NetworkDto>(HttpMethod.Post, ApiRoutes.Networks, request, ct);

    /// <summary>Deletes a network (admin); refused (409, naming VMs) while any VM is attached to it.</summary>
    public Task DeleteAsync(string idOrName, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, ApiRoutes.Network(idOrName), null, ct);
}
