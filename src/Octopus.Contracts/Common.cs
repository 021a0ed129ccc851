namespace Octopus.Contracts;

/// <summary>One page of a list. Pass <see cref="NextCursor"/> as <c>?cursor=</c> to get the next page; null means the end.
/// <see cref="Total"/>, where a list gives it, is how many items match the query over all pages.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor, long? Total = null);

/// <summary><c>GET /api/v1/health</c> (no authentication).</summary>
public sealed record HealthDto(string Status, string Version, string Store, string Driver, int Hosts, int HostsOn, int Vms);

/// <summary><c>GET /api/v1/images</c>: an image VMs can be created from. <see cref="CloudInit"/>: the image runs
/// cloud-init, so its VMs get a NoCloud seed disk (host name, SSH keys, user-data).</summary>
public sealed record ImageDto(string Name, long SizeBytes, string Source, bool CloudInit = false);

/// <summary><c>PATCH /api/v1/images/{name}</c> (admin): changes what is said about an image; a null field is left as it is.</summary>
public sealed record ImageUpdateRequest(bool? CloudInit = null);
