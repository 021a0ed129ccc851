using Octopus.Domain.Hosts;

namespace Octopus.Consolidation.Model;

/// <summary>A kind of host: cores, per-core speed, memory, network and its power curve (watts at each 10 % of load).</summary>
public sealed class HostType
{
    private readonly double[] _watts;

    public HostType(string name, int cores, double mipsPerCore, double ramMb, double bandwidthMbps, PowerModel power)
    {
        ArgumentNullException.ThrowIfNull(power);
        if (cores <= 0) throw new ArgumentOutOfRangeException(nameof(cores), cores, "a host needs at least one core");
        if (mipsPerCore <= 0) throw new ArgumentOutOfRangeException(nameof(mipsPerCore), mipsPerCore, "core speed must be positive");
        Name = name;
        Cores = cores;
        MipsPerCore = mipsPerCore;
        RamMb = ramMb;
        BandwidthMbps = bandwidthMbps;
        Power = power;
        _watts = [.. power.WattsAtTenths];
    }

    public string Name { get; }
    public int Cores { get; }
    public double MipsPerCore { get; }
    public double TotalMips => Cores * MipsPerCore;
    public double RamMb { get; }
    public double BandwidthMbps { get; }
    public PowerModel Power { get; }
    public double IdleWatts => _watts[0];

    /// <summary>The power table itself (watts at 0, 10, …, 100 % load), for loops that form <see cref="WattsAt"/>'s
    /// arithmetic inline over many hosts.</summary>
    internal double[] WattsAtTenths => _watts;
    public double MaxWatts => _watts[10];

    /// <summary>Watts at a load fraction in [0, 1] (clamped), linear between the 10 % points as SPECpower tables are read.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public double WattsAt(double utilisation)
    {
        if (utilisation <= 0) return _watts[0];
        if (utilisation >= 1) return _watts[10];
        var x = utilisation * 10;
        var i = (int)x;
        return _watts[i] + (_watts[i + 1] - _watts[i]) * (x - i);
    }

    /// <summary>HP ProLiant ML110 G4: 2 × 1860 MIPS, 4 GB, 1 Gbit/s (the CloudSim standard set-up).</summary>
    public static HostType HpProLiantMl110G4 { get; } = new("HP ProLiant ML110 G4", 2, 1860, 4096, 1000, PowerModel.HpProLiantMl110G4);

    /// <summary>HP ProLiant ML110 G5: 2 × 2660 MIPS, 4 GB, 1 Gbit/s (the CloudSim standard set-up).</summary>
    public static HostType HpProLiantMl110G5 { get; } = new("HP ProLiant ML110 G5", 2, 2660, 4096, 1000, PowerModel.HpProLiantMl110G5);
}
