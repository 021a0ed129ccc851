using Octopus.Disks.Services;
using Octopus.Application.Configuration;

namespace Octopus.Application.Disks;

/// <summary>Which disk backend stores VM disks.</summary>
public enum StorageBackendKind
{
    /// <summary>qcow2 files in <c>DATA/storage</c>, managed with qemu-img.</summary>
    QemuImg,
    /// <summary>No files: the tree logic over in-memory content (for the simulated cluster without qemu-img).</summary>
    Simulated,
}

/// <summary>The <c>Octopus:Storage</c> section: <c>Backend</c> (<c>qemu-img</c>, the default when qemu-img is on PATH,
/// else <c>simulated</c>), <c>Folder</c> (default <c>DATA/storage</c>), <c>GracePeriod</c> before unreachable disks are
/// collected (default 1 day), <c>MaxChainDepth</c> (2..256, default 16), <c>ImportFolders</c> (absolute folders
/// images may be imported from; default <c>DATA/import</c>).</summary>
public sealed class StorageSection
{
    public const string Section = "Octopus:Storage";
    public string? Backend { get; set; }
    public string? Folder { get; set; }
    public TimeSpan? GracePeriod { get; set; }
    public int? MaxChainDepth { get; set; }
    public List<string>? ImportFolders { get; set; }
}

/// <summary>Validated storage settings.</summary>
public sealed record StorageSettings(StorageBackendKind Backend, string Folder, DiskTreeOptions Tree)
{
    /// <summary>Reads and checks the section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static StorageSettings From(IConfiguration configuration, DataFolder data, Func<string, bool>? onPath = null) =>
        From(OctopusSections.Bind<StorageSection>(configuration, StorageSection.Section), data, onPath);

    /// <summary>Checks the bound section; a wrong value is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static StorageSettings From(StorageSection section, DataFolder data, Func<string, bool>? onPath = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(data);
        onPath ??= IsOnPath;
        var backend = section.Backend?.Trim().ToLowerInvariant() switch
        {
            null or "" => onPath("qemu-img") ? StorageBackendKind.QemuImg : StorageBackendKind.Simulated,
            "qemu-img" => onPath("qemu-img") ? StorageBackendKind.QemuImg
                : throw new ConfigurationException("Octopus:Storage:Backend", "qemu-img is not on PATH; install qemu-utils (scripts/install-deps) or set Backend to 'simulated'."),
            "simulated" => StorageBackendKind.Simulated,
            var other => throw new ConfigurationException("Octopus:Storage:Backend", $"'{other}' is not a disk backend; use 'qemu-img' or 'simulated'."),
        };
        var folder = Path.GetFullPath(section.Folder ?? data.StorageFolder);
        var tree = new DiskTreeOptions
        {
            GracePeriod = section.GracePeriod ?? TimeSpan.FromDays(1),
            MaxChainDepth = section.MaxChainDepth ?? 16,
            ImportFolders = section.ImportFolders is { Count: > 0 } folders ? folders : [data.ImportFolder],
        };
        try { tree = tree.Validate(); }
        catch (Domain.DomainException e) { throw new ConfigurationException("Octopus:Storage:" + (e.Field ?? "ImportFolders"), e.Message); }
        return new StorageSettings(backend, folder, tree);
    }

    private static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>Checks <see cref="StorageSection"/> at start-up (its defaults are places in the data folder).</summary>
public sealed class StorageSectionValidator(DataFolder data) : SectionValidator<StorageSection>(StorageSection.Section)
{
    protected override void Check(StorageSection options, Action<string, string> fail) => Converts(() => StorageSettings.From(options, data), fail);
}
