namespace Octopus.Domain.Units;

/// <summary>Electrical power in watts.</summary>
public readonly record struct Watts(double Value) : IComparable<Watts>
{
    public static Watts Zero => new(0);
    public static Watts operator +(Watts a, Watts b) => new(a.Value + b.Value);
    public static Watts operator -(Watts a, Watts b) => new(a.Value - b.Value);
    public static Watts operator *(Watts a, double k) => new(a.Value * k);
    public static bool operator <(Watts a, Watts b) => a.Value < b.Value;
    public static bool operator >(Watts a, Watts b) => a.Value > b.Value;
    public static bool operator <=(Watts a, Watts b) => a.Value <= b.Value;
    public static bool operator >=(Watts a, Watts b) => a.Value >= b.Value;
    public int CompareTo(Watts other) => Value.CompareTo(other.Value);

    /// <summary>Energy used when drawing this power for <paramref name="duration"/>, in kWh.</summary>
    public double KilowattHoursOver(TimeSpan duration) => Value * duration.TotalHours / 1000.0;
    public override string ToString() => $"{Value:0.#} W";
}
