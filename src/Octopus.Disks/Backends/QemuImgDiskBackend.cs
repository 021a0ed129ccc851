using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Units;

namespace Octopus.Disks.Backends;

/// <summary>Options of <see cref="QemuImgDiskBackend"/>.</summary>
public sealed record QemuImgOptions
{
    /// <summary>The storage folder every host mounts (shared storage). Disk files live directly in it.</summary>
    public required string StorageFolder { get; init; }

    /// <summary>The qemu-img executable; a bare name is looked up on PATH.</summary>
    public string QemuImgPath { get; init; } = "qemu-img";
}

/// <summary>Disks as qcow2 files with backing files, managed with qemu-img. Every call runs qemu-img with an argv
/// list (never a shell) inside the storage folder, with file names made from disk ids, so backing paths are stored
/// relative ("&lt;id&gt;.qcow2") and the folder can be moved or mounted elsewhere.</summary>
public sealed class QemuImgDiskBackend : IDiskBackend
{
    private readonly QemuImgOptions _options;
    private readonly string _folder;

    public QemuImgDiskBackend(QemuImgOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.StorageFolder))
            throw DomainException.Invalid("storageFolder", "The qemu-img disk backend needs a storage folder.");
        _options = options;
        _folder = Path.GetFullPath(options.StorageFolder);
        Directory.CreateDirectory(_folder);
    }

    public string StorageFolder => _folder;

    public async Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken cancellationToken = default)
    {
        if (virtualSize.Bytes <= 0) throw DomainException.Invalid("size", "A disk needs a positive size, e.g. 10GiB.");
        await RunAsync(["create", "-q", "-f", "qcow2", id.FileName, virtualSize.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
        return new StoredDisk(id, null, virtualSize, FileSize(id));
    }

    public async Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken cancellationToken = default)
    {
        var source = Path.GetFullPath(sourcePath);
        if (!File.Exists(source)) throw DomainException.Invalid("file", $"The image file '{sourcePath}' does not exist or is not a file.");
        var fmt = format?.QemuName() ?? await ProbeFormatAsync(source, cancellationToken);
        // -f is explicit so a raw file can never be taken for a format with a backing file, and -O qcow2 gives a
        // standalone store disk: whatever chain the source had is flattened into it.
        await RunAsync(["convert", "-q", "-f", fmt, "-O", "qcow2", source, id.FileName], cancellationToken);
        FlushToDisk(id);
        return await InspectAsync(id, cancellationToken)
            ?? throw new DiskBackendException($"qemu-img convert reported success but {id.FileName} is missing in {_folder}.");
    }

    public async Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken cancellationToken = default)
    {
        RequireFile(parent, "backing file");
        List<string> args = ["create", "-q", "-f", "qcow2", "-b", parent.FileName, "-F", "qcow2", id.FileName];
        if (virtualSize is { } size) args.Add(size.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RunAsync(args, cancellationToken);
        FlushToDisk(id);
        return FileSize(id);
    }

    public async Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken cancellationToken = default)
    {
        RequireFile(id, "disk");
        RequireFile(newParent, "new backing file");
        // Safe mode (no -u): qemu-img copies into the disk every cluster where old and new backing chains differ
        // before it rewrites the header, so a crash leaves the old header over identical content.
        await RunAsync(["rebase", "-q", "-f", "qcow2", "-b", newParent.FileName, "-F", "qcow2", id.FileName], cancellationToken);
        FlushToDisk(id);
        return FileSize(id);
    }

    public async Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(PathOf(id))) return null;
        var json = await RunAsync(["info", "--output=json", "-f", "qcow2", "-U", id.FileName], cancellationToken);
        using var doc = JsonDocument.Parse(json);
        return ToStored(id, doc.RootElement);
    }

    public async Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        RequireFile(id, "disk");
        var json = await RunAsync(["info", "--backing-chain", "--output=json", "-f", "qcow2", "-U", id.FileName], cancellationToken);
        using var doc = JsonDocument.Parse(json);
        var chain = new List<DiskId>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var name = Path.GetFileName(e.GetProperty("filename").GetString() ?? "");
            if (!DiskId.TryParseFileName(name, out var d))
                throw new DiskBackendException($"Disk {id} backs onto '{name}', a file Octopus did not create; re-import it as an image.");
            chain.Add(d);
        }
        return chain;
    }

    public Task DeleteAsync(DiskId id, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(id));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken cancellationToken = default)
    {
        var files = new List<StoredFile>();
        foreach (var info in new DirectoryInfo(_folder).EnumerateFiles("*.qcow2"))
        {
            if (DiskId.TryParseFileName(info.Name, out var id))
                files.Add(new StoredFile(id, new ByteSize(info.Length), new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
        }
        return Task.FromResult<IReadOnlyList<StoredFile>>(files);
    }

    private StoredDisk ToStored(DiskId id, JsonElement e)
    {
        DiskId? parent = null;
        if (e.TryGetProperty("backing-filename", out var b) && b.GetString() is { Length: > 0 } backing)
        {
            var name = Path.GetFileName(backing);
            if (!DiskId.TryParseFileName(name, out var p))
                throw new DiskBackendException($"Disk {id} backs onto '{backing}', a file Octopus did not create.");
            parent = p;
        }
        return new StoredDisk(id, parent, new ByteSize(e.GetProperty("virtual-size").GetInt64()), FileSize(id));
    }

    private async Task<string> ProbeFormatAsync(string source, CancellationToken ct)
    {
        var json = await RunAsync(["info", "--output=json", "-U", source], ct);
        using var doc = JsonDocument.Parse(json);
        var fmt = doc.RootElement.GetProperty("format").GetString() ?? "raw";
        return fmt is "qcow2" or "raw" or "vpc" or "vhdx"
            ? fmt
            : throw DomainException.Invalid("file", $"'{source}' is a {fmt} image; Octopus imports qcow2, raw, vhd (vpc) and vhdx. Convert it first with qemu-img convert.");
    }

    /// <summary>Makes a file durable before the catalog row that names it is committed: qemu-img convert writes with
    /// cache=unsafe and create does not sync, so without this a power cut could leave a row without its file.</summary>
    private void FlushToDisk(DiskId id)
    {
        using var handle = File.OpenHandle(PathOf(id), FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    private string PathOf(DiskId id) => Path.Combine(_folder, id.FileName);

    private ByteSize FileSize(DiskId id) => new(new FileInfo(PathOf(id)).Length);

    private void RequireFile(DiskId id, string what)
    {
        if (!File.Exists(PathOf(id)))
            throw new DiskBackendException($"The {what} {id.FileName} is missing from {_folder}; run the disk collector to list missing files.");
    }

    private async Task<string> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(_options.QemuImgPath)
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DiskBackendException($"Could not start {_options.QemuImgPath}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DiskBackendException($"Could not run '{_options.QemuImgPath}' ({e.Message}); install qemu-utils (scripts/install-deps) or set QemuImgPath.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var output = await stdout;
            var error = await stderr;
            if (process.ExitCode != 0)
            {
                var cmd = new StringBuilder("qemu-img");
                foreach (var a in args) cmd.Append(' ').Append(a);
                throw new DiskBackendException($"'{cmd}' failed with exit code {process.ExitCode}: {error.Trim()}");
            }
            return output;
        }
    }
}
