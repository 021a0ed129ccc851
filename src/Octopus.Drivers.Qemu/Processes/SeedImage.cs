using System.Diagnostics;
using System.Text;

namespace Octopus.Drivers.Qemu.Processes;

/// <summary>Writes a cloud-init NoCloud seed as an ISO9660 image with Joliet and Rock Ridge names (what cloud-localds
/// makes) and the volume label <c>cidata</c>, with genisoimage (apt package genisoimage, installed by
/// scripts/install-deps). argv lists, no shell.</summary>
public sealed class SeedImage(string binary = "/usr/bin/genisoimage")
{
    /// <summary>Writes <paramref name="seed"/> to <paramref name="isoPath"/> (replacing it atomically), from files in a
    /// staging folder beside it.</summary>
    public async Task WriteAsync(CloudInitSeed seed, string isoPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (!File.Exists(binary))
            throw new DriverException($"genisoimage is not installed at {binary}; it makes the cloud-init seed disk. Run scripts/install-deps (apt package genisoimage).");
        var full = Path.GetFullPath(isoPath);
        var staging = full + ".d";
        var tmp = full + ".tmp";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            var utf8 = new UTF8Encoding(false);
            foreach (var (name, text) in seed.Files()) await File.WriteAllTextAsync(Path.Combine(staging, name), text, utf8, ct);
            var psi = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-quiet", "-output", tmp, "-volid", CloudInitSeed.VolumeLabel, "-joliet", "-rock", staging }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new DriverException($"could not start {binary}.");
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            await stdout;
            if (p.ExitCode != 0) throw new DriverException($"genisoimage could not make the cloud-init seed {full}: {(await stderr).Trim()}");
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
