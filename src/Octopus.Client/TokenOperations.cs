using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Personal API tokens: <c>/api/v1/tokens</c>. Everyone manages their own; admins also other users'.</summary>
public sealed class TokenOperations
{
    private readonly ApiConnection _api;

    internal TokenOperations(ApiConnection api) => _api = api;

    /// <summary>Creates a named token with scopes (<c>read</c>, <c>write</c>, <c>admin</c>) and an expiry in days; the
    /// token value is in the answer only this once.</summary>
    public Task<TokenCreatedDto> CreateAsync(TokenCreateRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<TokenCreatedDto>(HttpMethod.Post, ApiRoutes.Tokens, request, ct);

    /// <summary>Your unexpired tokens (personal ones, login tokens and web sessions), or another user's
    /// (<paramref name="user"/>, admin; <c>all</c> for everyone's).</summary>
    public Task<List<TokenDto>> ListAsync(string? user = null, CancellationToken ct = default) =>
        _api.GetAsync<List<TokenDto>>(user is null ? ApiRoutes.Tokens : $"{ApiRoutes.Tokens}?user={Uri.EscapeDataString(user)}", ct);

    /// <summary>Revokes a token by id (yours, or anyone's for admins); it stops working at once.</summary>
    public Task RevokeAsync(long id, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, ApiRoutes.TokenById(id), null, ct);
}
