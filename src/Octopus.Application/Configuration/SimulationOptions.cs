namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:Simulation</c>: how the simulated cluster (the default driver) behaves.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Octopus:Simulation";

    /// <summary>How long a simulated VM operation takes. 0 to 10 min; default 1 s.</summary>
    public TimeSpan OperationDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a simulated host takes to power on or off. 0 to 30 min; default 5 s.</summary>
    public TimeSpan PowerTransitionDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seed of the simulated cluster's randomness (any whole number); default 42.</summary>
    public int Seed { get; set; } = 42;
}

/// <summary>Checks <see cref="SimulationOptions"/>' ranges.</summary>
public sealed class SimulationOptionsValidator() : SectionValidator<SimulationOptions>(SimulationOptions.Section)
{
    protected override void Check(SimulationOptions o, Action<string, string> fail)
    {
        Range(o.OperationDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10), nameof(o.OperationDelay), fail);
        Range(o.PowerTransitionDelay, TimeSpan.Zero, TimeSpan.FromMinutes(30), nameof(o.PowerTransitionDelay), fail);
    }
}
