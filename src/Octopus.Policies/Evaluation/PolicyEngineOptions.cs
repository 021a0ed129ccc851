namespace Octopus.Policies.Evaluation;

/// <summary>Settings of the <see cref="PolicyEngine"/>.</summary>
public sealed record PolicyEngineOptions
{
    public static PolicyEngineOptions Default { get; } = new();

    /// <summary>The tag that blocks every delete, whatever policy proposes it (default "protected").</summary>
    public string ProtectedTag { get; init; } = "protected";

    /// <summary>CPU percent below which a VM counts as idle for <c>vm.idleFor</c> (default 5, valid 0–100).</summary>
    public double IdleThresholdPercent { get; init; } = 5;
}
