namespace Octopus.Domain.Units;

/// <summary>CPU capacity or demand in millions of instructions per second (CloudSim's unit).</summary>
public readonly record struct Mips(double Value) : IComparable<Mips>
{
    public static Mips Zero => new(0);
    public static Mips operator +(Mips a, Mips b) => new(a.Value + b.Value);
    public static Mips operator -(Mips a, Mips b) => new(a.Value - b.Value);
    public static Mips operator *(Mips a, double k) => new(a.Value * k);
    public static bool operator <(Mips a, Mips b) => a.Value < b.Value;
    public static bool operator >(Mips a, Mips b) => a.Value > b.Value;
    public static bool operator <=(Mips a, Mips b) => a.Value <= b.Value;
    public static bool operator >=(Mips a, Mips b) => a.Value >= b.Value;
    public int CompareTo(Mips other) => Value.CompareTo(other.Value);
    public override string ToString() => $"{Value:0.#} MIPS";
}
