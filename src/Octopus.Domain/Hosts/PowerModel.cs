using Octopus.Domain.Units;

namespace Octopus.Domain.Hosts;

/// <summary>A host's power draw as data: watts at 0 %, 10 %, …, 100 % CPU load (SPECpower style), linear in between.
/// A switched-off host draws nothing.</summary>
public sealed record PowerModel
{
    public PowerModel(IReadOnlyList<double> wattsAtTenths)
    {
        if (wattsAtTenths is null || wattsAtTenths.Count != 11)
            throw DomainException.Invalid("powerModel", $"a power model needs 11 values (watts at 0, 10, …, 100 % load); got {wattsAtTenths?.Count ?? 0}.");
        for (var i = 0; i < 11; i++)
        {
            if (!double.IsFinite(wattsAtTenths[i]) || wattsAtTenths[i] < 0)
                throw DomainException.Invalid("powerModel", $"watts must be finite and non-negative; value {i} is {wattsAtTenths[i]}.");
            if (i > 0 && wattsAtTenths[i] < wattsAtTenths[i - 1])
                throw DomainException.Invalid("powerModel", $"watts must not fall as load rises; {wattsAtTenths[i]} at {i * 10} % is below {wattsAtTenths[i - 1]} at {(i - 1) * 10} %.");
        }
        WattsAtTenths = [.. wattsAtTenths];
    }

    public IReadOnlyList<double> WattsAtTenths { get; }

    public Watts Idle => new(WattsAtTenths[0]);
    public Watts Max => new(WattsAtTenths[10]);

    /// <summary>Power at a CPU load, clamped to [0, 1].</summary>
    public Watts At(CpuLoad load)
    {
        var u = Math.Clamp(load.Fraction, 0, 1) * 10;
        var i = (int)Math.Floor(u);
        if (i >= 10) return Max;
        var w = WattsAtTenths[i] + (WattsAtTenths[i + 1] - WattsAtTenths[i]) * (u - i);
        return new Watts(w);
    }

    /// <summary>HP ProLiant ML110 G4 (SPECpower), the CloudSim standard set-up's first host type.</summary>
    public static PowerModel HpProLiantMl110G4 { get; } = new([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]);

    /// <summary>HP ProLiant ML110 G5 (SPECpower), the CloudSim standard set-up's second host type.</summary>
    public static PowerModel HpProLiantMl110G5 { get; } = new([93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135]);

    public bool Equals(PowerModel? other) => other is not null && WattsAtTenths.SequenceEqual(other.WattsAtTenths);
    public override int GetHashCode() => WattsAtTenths.Aggregate(0, (h, w) => HashCode.Combine(h, w));
}
