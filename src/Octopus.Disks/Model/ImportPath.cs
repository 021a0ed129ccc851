using System.Globalization;
using Octopus.Domain;

namespace Octopus.Disks.Model;

/// <summary>A file an administrator asks the server to import, checked as data before any file-system call: absolute,
/// at most 4096 characters, no control characters (a NUL would make the runtime throw, others hide what is shown).
/// Error messages never echo the server's own folders.</summary>
public readonly record struct ImportPath
{
    public const int MaxLength = 4096;

    private ImportPath(string fullPath) => FullPath = fullPath;

    /// <summary>The normalised absolute path ('.' and '..' resolved).</summary>
    public string FullPath { get; }

    public static ImportPath Parse(string? text, string field = "file")
    {
        if (string.IsNullOrWhiteSpace(text))
            throw DomainException.Invalid(field, "Name the image file on the server: an absolute path under an import folder.");
        if (text.Length > MaxLength)
            throw DomainException.Invalid(field, $"The file name is {text.Length} characters long; at most {MaxLength} are allowed.");
        var bad = text.IndexOfAny(ControlCharacters);
        if (bad >= 0)
            throw DomainException.Invalid(field, string.Create(CultureInfo.InvariantCulture,
                $"The file name contains the control character U+{(int)text[bad]:X4} at position {bad}; send a plain absolute path under an import folder."));
        if (!Path.IsPathFullyQualified(text))
            throw DomainException.Invalid(field, "The file name must be an absolute path on the server (under an import folder), e.g. /var/lib/octopus/import/disk.qcow2.");
        return new ImportPath(Path.GetFullPath(text));
    }

    private static readonly char[] ControlCharacters =
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '\u007f', .. Enumerable.Range(0x80, 0x20).Select(c => (char)c), '\u2028', '\u2029'];

    public override string ToString() => FullPath;
}
