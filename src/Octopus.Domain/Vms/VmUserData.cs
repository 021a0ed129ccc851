using System.Text;

namespace Octopus.Domain.Vms;

/// <summary>The cloud-init user-data a VM was created with: UTF-8 text of at most <see cref="MaxBytes"/> bytes that
/// cloud-init takes as it is (a <c>#cloud-config</c> document, a <c>#!</c> script, another <c>#</c> format cloud-init
/// names, or a MIME multipart). Fixed at creation; goes with the VM (a fork does not take it).</summary>
public sealed class VmUserData
{
    /// <summary>64 KiB: what a NoCloud seed and most clouds (EC2 among them, 16 KiB) leave room for comfortably.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The first lines cloud-init recognises (its user-data "part handlers"), apart from MIME multipart.</summary>
    private static readonly string[] Headers =
        ["#cloud-config", "#!", "#include", "#cloud-boothook", "#part-handler", "#cloud-config-archive", "#cloud-config-jsonp", "## template: jinja"];

    private VmUserData() { } // for the store

    public VmId VmId { get; private set; }
    public string Text { get; private set; } = "";

    /// <summary>Its size in UTF-8 bytes (what <c>vm show</c> reports without reading the text).</summary>
    public int Bytes { get; private set; }

    public static VmUserData For(VmId vm, string text) => new() { VmId = vm, Text = Parse(text), Bytes = Encoding.UTF8.GetByteCount(text) };

    /// <summary>Checks <paramref name="text"/> as user-data; throws a 400 naming <c>userData</c> saying what is wrong.</summary>
    public static string Parse(string? text, string field = "userData")
    {
        if (string.IsNullOrEmpty(text))
            throw DomainException.Invalid(field, "The user-data is empty; leave it out, or give a #cloud-config document or a #! script.");
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
            throw DomainException.Invalid(field, $"The user-data is {bytes} bytes; at most {MaxBytes} bytes (64 KiB) are allowed. " +
                "Make it smaller, e.g. have a short #cloud-config fetch the rest.");
        if (text.Contains('\0', StringComparison.Ordinal))
            throw DomainException.Invalid(field, "The user-data holds a NUL character; it must be UTF-8 text (compressed or binary user-data is not accepted).");
        var body = text.TrimStart('\uFEFF');
        if (Headers.Any(h => body.StartsWith(h, StringComparison.Ordinal)) || IsMimeMultipart(body)) return text;
        var first = body.Split('\n', 2)[0].TrimEnd('\r');
        if (first.Length > 40) first = first[..40] + "…";
        throw DomainException.Invalid(field, $"cloud-init would not recognise this user-data (it starts with '{first}'): it must start with " +
            "#cloud-config (a YAML document), #! (a script), another cloud-init header such as #include or #cloud-boothook, " +
            "or be a MIME multipart message (Content-Type: multipart/…).");
    }

    /// <summary>A MIME message whose headers (before the first empty line) say <c>Content-Type: multipart/…</c>.</summary>
    private static bool IsMimeMultipart(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) return false;
            if (line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)
                && line["Content-Type:".Length..].TrimStart().StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
