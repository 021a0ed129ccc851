using Octopus.Domain;

namespace Octopus.Disks.Model;

/// <summary>Formats an image can be imported from. The store itself is always qcow2, because only qcow2 can be
/// the backing file of a qcow2 child (qemu-img cannot create differencing VHD/VHDX children).</summary>
public enum DiskImageFormat
{
    Qcow2,
    Raw,
    /// <summary>Microsoft VHD (qemu calls it "vpc").</summary>
    Vpc,
    Vhdx,
}

public static class DiskImageFormats
{
    /// <summary>The name qemu-img uses for <c>-f</c>.</summary>
    public static string QemuName(this DiskImageFormat format) => format switch
    {
        DiskImageFormat.Qcow2 => "qcow2",
        DiskImageFormat.Raw => "raw",
        DiskImageFormat.Vpc => "vpc",
        DiskImageFormat.Vhdx => "vhdx",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown image format"),
    };

    /// <summary>Parses a user's format name; "vhd" and "vpc" are the same format.</summary>
    public static DiskImageFormat Parse(string? text, string field = "format") => text?.Trim().ToLowerInvariant() switch
    {
        "qcow2" => DiskImageFormat.Qcow2,
        "raw" or "img" => DiskImageFormat.Raw,
        "vhd" or "vpc" => DiskImageFormat.Vpc,
        "vhdx" => DiskImageFormat.Vhdx,
        _ => throw DomainException.Invalid(field, $"'{text}' is not an image format Octopus imports: use qcow2, raw, vhd (vpc) or vhdx."),
    };
}
