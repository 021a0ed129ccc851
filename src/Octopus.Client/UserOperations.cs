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

    /// <summary>Changes your own password; your other login tokens and web sessions end (personal tokens stay).</summary>
    public Task ChangeOwnPasswordAsync(string currentPassword, string newPassword, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Put, ApiRoutes.MyPassword, new PasswordChangeRequest(currentPassword, newPassword), ct);

    /// <summary>Sets a user's password (admin); their login tokens and sessions end.</summary>
    public Task ResetPasswordAsync(string username, string newPassword, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Put, ApiRoutes.UserPassword(username), new PasswordResetRequest(newPassword), ct);

    /// <summary>Disables a user (admin): their logins are refused and every token and session stops working at once.</summary>
    public Task<UserDto> DisableAsync(string username, CancellationToken ct = default) =>
        _api.SendJsonAsync<UserDto>(HttpMethod.Post, ApiRoutes.UserDisable(username), null, ct);

    /// <summary>Enables a disabled user again (admin).</summary>
    public Task<UserDto> EnableAsync(string username, CancellationToken ct = default) =>
        _api.SendJsonAsync<UserDto>(HttpMethod.Post, ApiRoutes.UserEnable(username), null, ct);

    /// <summary>Clears a name's failed-login lockout (admin).</summary>
    public Task UnlockAsync(string username, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Post, ApiRoutes.User(username) + "/unlock", null, ct);

    /// <summary>Deletes a user (admin). Refused (409 <c>user.has-vms</c>) while they own VMs, unless
    /// <paramref name="transferTo"/> names who gets them or <paramref name="deleteVms"/> is set; with deleteVms the
    /// answer is non-null while their VMs are being deleted: call again once they are gone. Null means deleted.</summary>
    public Task<UserDeletionDto?> DeleteAsync(string username, string? transferTo = null, bool deleteVms = false, CancellationToken ct = default)
    {
        var query = transferTo is not null ? $"?transferTo={Uri.EscapeDataString(transferTo)}" : deleteVms ? "?deleteVms=true" : "";
        return _api.SendJsonOrNoContentAsync<UserDeletionDto>(HttpMethod.Delete, ApiRoutes.User(username) + query, null, ct);
    }
}
