using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Images VMs can be created from: <c>/api/v1/images</c>.</summary>
public sealed class ImageOperations
{
    private readonly ApiConnection _api;

    internal ImageOperations(ApiConnection api) => _api = api;

    /// <summary>Every image, by name.</summary>
    public Task<IReadOnlyList<ImageDto>> ListAsync(CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<ImageDto>>(ApiRoutes.Images, ct);

    /// <summary>Imports <paramref name="file"/>, a path on the server under one of its import folders, as image
    /// <paramref name="name"/> (admin). qcow2, raw, vhd and vhdx are converted to qcow2.</summary>
    public Task<ImageDto> ImportAsync(string name, string file, string? format = null, CancellationToken ct = default) =>
        _api.SendJsonAsync<ImageDto>(HttpMethod.Post, ApiRoutes.Images + "/import", new ImageImportRequest(name, file, format), ct);

    /// <summary>Imports an image as <paramref name="request"/> says (admin), e.g. with <see cref="ImageImportRequest.CloudInit"/>.</summary>
    public Task<ImageDto> ImportAsync(ImageImportRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<ImageDto>(HttpMethod.Post, ApiRoutes.Images + "/import", request, ct);

    /// <summary>Changes what is said about an image (admin), e.g. whether it runs cloud-init; null fields stay as they are.</summary>
    public Task<ImageDto> UpdateAsync(string name, ImageUpdateRequest update, CancellationToken ct = default) =>
        _api.SendJsonAsync<ImageDto>(HttpMethod.Patch, $"{ApiRoutes.Images}/{Uri.EscapeDataString(name)}", update, ct);

    /// <summary>Deletes an image (admin); refused (409, with the reason) while a VM or snapshot depends on it.</summary>
    public Task DeleteAsync(string name, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, $"{ApiRoutes.Images}/{Uri.EscapeDataString(name)}", null, ct);
}
