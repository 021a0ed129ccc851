using System.Text;

namespace Octopus.Drivers.Qemu;

/// <summary>Reads the tail of a VM's serial console log (QEMU appends to it; the agent only reads).</summary>
public static class ConsoleLog
{
    /// <summary>The last <paramref name="maxBytes"/> bytes of <paramref name="path"/>, starting at a line boundary when the
    /// file is longer; empty when the file does not exist yet.</summary>
    public static async Task<string> ReadTailAsync(string path, int maxBytes, CancellationToken ct)
    {
        if (maxBytes <= 0) throw new DriverException($"console tail size must be positive; got {maxBytes}.");
        if (!File.Exists(path)) return "";
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, f.Length - maxBytes);
        f.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[f.Length - start];
        var read = await f.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        if (start > 0)
        {
            var nl = text.IndexOf('\n', StringComparison.Ordinal);
            if (nl >= 0) text = text[(nl + 1)..];
        }
        return text;
    }
}
