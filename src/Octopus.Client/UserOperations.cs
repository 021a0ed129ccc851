using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Accounts and quotas: <c>/api/v1/users</c> (admin only).</summary>
public sealed class UserOperations
{
    private readonly ApiConnection _api;

    internal UserOperations(ApiConnection api) => _api = api;

    /// <summary>Every user with their quota and usage, following pages as the stream is read (admin).</summary>
    public IAsyncEnumerable<UserDto> ListAsync(int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<UserDto>(_api, ApiRoutes.Users, QueryString.Empty, pageSize, ct);

    /// <summary>One user with their quota and usage: yourself, or anyone for admins.</summary>
    public Task<UserDto> GetAsync(string username, CancellationToken ct = default) =>
        _api.GetAsync<UserDto>(ApiRoutes.User(username), ct);

    /// <summary>Creates a user (admin); 409 when the name is taken.</summary>
    public Task<UserDto> CreateAsync(UserCreateRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<UserDto>(HttpMethod.Post, ApiRoutes.Users, request, ct);

    /// <summary>Replaces the user's quota; null limits mean unlimited.</summary>
    public Task<UserDto> SetQuotaAsync(string username, QuotaDto quota, CancellationToken ct = default) =>
        _api.SendJsonAsync<UserDto>(HttpMethod.Put, ApiRoutes.UserQuota(username), quota, ct);
}
