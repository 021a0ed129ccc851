namespace Octopus.Domain.Units;

/// <summary>A fraction of CPU capacity in use, 0 = idle, 1 = fully loaded. Values above 1 mean demand exceeds capacity.</summary>
public readonly record struct CpuLoad(double Fraction) : IComparable<CpuLoad>
{
    public static CpuLoad Idle => new(0);
    public static CpuLoad FromPercent(double percent) => new(percent / 100.0);
    public double Percent => Fraction * 100.0;
    public CpuLoad Clamped => new(Math.Clamp(Fraction, 0, 1));
    public static bool operator <(CpuLoad a, CpuLoad b) => a.Fraction < b.Fraction;
    public static bool operator >(CpuLoad a, CpuLoad b) => a.Fraction > b.Fraction;
    public static bool operator <=(CpuLoad a, CpuLoad b) => a.Fraction <= b.Fraction;
    public static bool operator >=(CpuLoad a, CpuLoad b) => a.Fraction >= b.Fraction;
    public int CompareTo(CpuLoad other) => Fraction.CompareTo(other.Fraction);
    public override string ToString() => $"{Percent:0.#} %";
}
