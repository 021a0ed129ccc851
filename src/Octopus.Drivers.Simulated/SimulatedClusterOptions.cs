namespace Octopus.Drivers.Simulated;

/// <summary>Settings of the simulated cluster (configuration section <c>Octopus:Simulation</c>).</summary>
public sealed record SimulatedClusterOptions
{
    /// <summary>How long a VM operation (create, start, stop, reboot, delete) takes. 0 to 10 minutes; default 1 s.</summary>
    public TimeSpan OperationDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a host takes to power on or off. 0 to 30 minutes; default 5 s.</summary>
    public TimeSpan PowerTransitionDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Seed of the CPU-use curves.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>File that keeps the simulated hardware state across restarts; null keeps it in memory only.</summary>
    public string? StateFile { get; init; }

    public void Validate()
    {
        if (OperationDelay < TimeSpan.Zero || OperationDelay > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(OperationDelay), OperationDelay, "Simulation:OperationDelay must be between 00:00:00 and 00:10:00.");
        if (PowerTransitionDelay < TimeSpan.Zero || PowerTransitionDelay > TimeSpan.FromMinutes(30))
            throw new ArgumentOutOfRangeException(nameof(PowerTransitionDelay), PowerTransitionDelay, "Simulation:PowerTransitionDelay must be between 00:00:00 and 00:30:00.");
    }
}
