using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Images VMs can be created from: <c>/api/v1/images</c>.</summary>
public sealed class ImageOperations
{
    private readonly ApiConnection _api;

    internal ImageOperations(ApiConnection api) => _api = api;

    public Task<IReadOnlyList<ImageDto>> ListAsync(CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<ImageDto>>(ApiRoutes.Images, ct);
}
