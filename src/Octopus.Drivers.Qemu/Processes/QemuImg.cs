using System.Diagnostics;

namespace Octopus.Drivers.Qemu.Processes;

/// <summary>The few qemu-img operations the QEMU driver needs itself (the disk tree has its own); argv lists, no shell.</summary>
public sealed class QemuImg(string binary = "/usr/bin/qemu-img")
{
    /// <summary>Creates <paramref name="child"/> as a qcow2 whose backing file is <paramref name="parent"/> (absolute
    /// paths, so the chain survives the files being opened from another folder).</summary>
    public Task CreateChildAsync(string parent, string child, CancellationToken ct) =>
        RunAsync(["create", "-q", "-f", "qcow2", "-b", Path.GetFullPath(parent), "-F", "qcow2", Path.GetFullPath(child)], ct);

    /// <summary>Creates an empty qcow2 of <paramref name="bytes"/> bytes.</summary>
    public Task CreateAsync(string path, long bytes, CancellationToken ct) =>
        RunAsync(["create", "-q", "-f", "qcow2", Path.GetFullPath(path), bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);

    /// <summary>The backing file recorded in <paramref name="path"/>, or null for a base image.</summary>
    public async Task<string?> BackingFileAsync(string path, CancellationToken ct)
    {
        var json = await RunAsync(["info", "--output=json", "-U", Path.GetFullPath(path)], ct);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("backing-filename", out var b) ? b.GetString() : null;
    }

    private async Task<string> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        if (!File.Exists(binary)) throw new DriverException($"qemu-img is not installed at {binary}; run scripts/install-deps (apt package qemu-utils).");
        var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new DriverException($"could not start {binary}.");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new DriverException($"qemu-img {args[0]} failed: {(await stderr).Trim()}");
        return await stdout;
    }
}
