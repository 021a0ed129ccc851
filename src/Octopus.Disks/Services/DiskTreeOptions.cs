using Octopus.Domain;

namespace Octopus.Disks.Services;

/// <summary>Tunables of the disk tree. Validated once when the services are built.</summary>
public sealed record DiskTreeOptions
{
    /// <summary>Longest backing chain allowed (an image is depth 0, a VM disk on it depth 1). Valid range 2..256;
    /// default 16. A new disk that would pass it is rebased at once onto the ancestor at depth
    /// <c>MaxChainDepth / 2</c>, so the next flatten is that many operations away.</summary>
    public int MaxChainDepth { get; init; } = 16;

    /// <summary>How long an unreachable disk is kept before the collector deletes it, and how old an unknown file
    /// must be before it is deleted as an orphan. Valid range 0..365 days; default 1 day.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Folders images may be imported from. When set, an import of any other file (symbolic links are
    /// followed first) is refused, so an import request can never read a server file such as a key into a VM.
    /// Empty (the default) allows any readable path: right for tools and tests, not for a server taking user input.</summary>
    public IReadOnlyList<string> ImportFolders { get; init; } = [];

    public DiskTreeOptions Validate()
    {
        foreach (var f in ImportFolders)
            if (string.IsNullOrWhiteSpace(f) || !Path.IsPathFullyQualified(f))
                throw DomainException.Invalid(nameof(ImportFolders), $"Import folder '{f}' must be an absolute path.");
        if (MaxChainDepth is < 2 or > 256)
            throw DomainException.Invalid(nameof(MaxChainDepth), $"MaxChainDepth must be between 2 and 256, not {MaxChainDepth}.");
        if (GracePeriod < TimeSpan.Zero || GracePeriod > TimeSpan.FromDays(365))
            throw DomainException.Invalid(nameof(GracePeriod), $"GracePeriod must be between 0 and 365 days, not {GracePeriod}.");
        return this;
    }
}
