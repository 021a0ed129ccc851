using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>The SSH public keys in the caller's profile: <c>/api/v1/me/ssh-keys</c>. VMs are given them by name
/// (<see cref="VmCreateRequest.SshKeys"/>).</summary>
public sealed class SshKeyOperations
{
    private readonly ApiConnection _api;

    internal SshKeyOperations(ApiConnection api) => _api = api;

    /// <summary>The caller's keys, by name.</summary>
    public Task<IReadOnlyList<SshKeyDto>> ListAsync(CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<SshKeyDto>>(ApiRoutes.MySshKeys, ct);

    /// <summary>Adds a key under <paramref name="name"/>; a malformed key (wrong type, bad base64, a blob of another type)
    /// is refused with 400 naming <c>publicKey</c>, a name or key already there with 409.</summary>
    public Task<SshKeyDto> AddAsync(string name, string publicKey, CancellationToken ct = default) =>
        _api.SendJsonAsync<SshKeyDto>(HttpMethod.Post, ApiRoutes.MySshKeys, new SshKeyRequest(name, publicKey), ct);

    /// <summary>Removes the key named <paramref name="name"/>; 404 when there is none. VMs created with it keep it.</summary>
    public Task RemoveAsync(string name, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, ApiRoutes.MySshKey(name), null, ct);
}
