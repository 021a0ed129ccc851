namespace Octopus.Disks.Model;

/// <summary>Identity of a disk in the tree. The backing file's name is derived from it (never from user text),
/// so a name can never escape the storage folder or collide with another disk's file.</summary>
public readonly record struct DiskId(Guid Value)
{
    public static DiskId New() => new(Guid.CreateVersion7());

    public static bool TryParse(string? text, out DiskId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new DiskId(g);
        return true;
    }

    /// <summary>The file name of this disk in the storage folder: 32 hex digits and <c>.qcow2</c>.</summary>
    public string FileName => Value.ToString("N") + ".qcow2";

    /// <summary>Reads a disk id back from a storage file name; false for any file Octopus did not name.</summary>
    public static bool TryParseFileName(string fileName, out DiskId id)
    {
        id = default;
        if (!fileName.EndsWith(".qcow2", StringComparison.Ordinal)) return false;
        var stem = fileName[..^".qcow2".Length];
        if (stem.Length != 32 || !Guid.TryParseExact(stem, "N", out var g)) return false;
        id = new DiskId(g);
        return true;
    }

    public override string ToString() => Value.ToString();
}
