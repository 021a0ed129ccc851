using System.Globalization;
using System.Text.RegularExpressions;

namespace Octopus.Domain.Units;

/// <summary>An amount of memory or storage in bytes. Parses "4GiB", "512 MiB", "20GB", "1073741824".</summary>
public readonly partial record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    public const long KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

    public static ByteSize Zero => new(0);
    public static ByteSize FromMiB(double mib) => new(checked((long)(mib * MiB)));
    public static ByteSize FromGiB(double gib) => new(checked((long)(gib * GiB)));
    public static ByteSize FromTiB(double tib) => new(checked((long)(tib * TiB)));

    public double TotalMiB => Bytes / (double)MiB;
    public double TotalGiB => Bytes / (double)GiB;

    public static ByteSize operator +(ByteSize a, ByteSize b) => new(checked(a.Bytes + b.Bytes));
    public static ByteSize operator -(ByteSize a, ByteSize b) => new(checked(a.Bytes - b.Bytes));
    public static ByteSize operator *(ByteSize a, int k) => new(checked(a.Bytes * k));
    public static bool operator <(ByteSize a, ByteSize b) => a.Bytes < b.Bytes;
    public static bool operator >(ByteSize a, ByteSize b) => a.Bytes > b.Bytes;
    public static bool operator <=(ByteSize a, ByteSize b) => a.Bytes <= b.Bytes;
    public static bool operator >=(ByteSize a, ByteSize b) => a.Bytes >= b.Bytes;
    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    [GeneratedRegex(@"^\s*(?<n>\d+(\.\d+)?)\s*(?<u>[KMGTP]i?B?|B)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses a size; binary (KiB, MiB, GiB, TiB) and decimal (KB, MB, GB, TB) units; a bare number is bytes.</summary>
    public static bool TryParse(string? text, out ByteSize size)
    {
        size = Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        if (!double.TryParse(m.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
        var unit = m.Groups["u"].Success ? m.Groups["u"].Value.ToUpperInvariant() : "B";
        double factor = unit switch
        {
            "B" => 1,
            "K" or "KIB" or "KI" => KiB, "KB" => 1e3,
            "M" or "MIB" or "MI" => MiB, "MB" => 1e6,
            "G" or "GIB" or "GI" => GiB, "GB" => 1e9,
            "T" or "TIB" or "TI" => TiB, "TB" => 1e12,
            "P" or "PIB" or "PI" => TiB * 1024.0, "PB" => 1e15,
            _ => double.NaN,
        };
        var bytes = n * factor;
        if (double.IsNaN(bytes) || bytes > long.MaxValue) return false;
        size = new ByteSize((long)bytes);
        return true;
    }

    public static ByteSize Parse(string text) =>
        TryParse(text, out var s) ? s : throw new FormatException($"'{text}' is not a size; write e.g. 4GiB, 512MiB or 20GB.");

    /// <summary>Human form with binary units, e.g. "4 GiB", "1.5 TiB".</summary>
    public override string ToString()
    {
        if (Bytes == 0) return "0 B";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double v = Bytes;
        var i = 0;
        while (Math.Abs(v) >= 1024 && i < units.Length - 1) { v /= 1024; i++; }
        return v == Math.Floor(v) ? $"{v:0} {units[i]}".Replace(',', '.') : string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {units[i]}");
    }
}
