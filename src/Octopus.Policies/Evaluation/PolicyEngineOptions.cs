namespace Octopus.Policies.Evaluation;

/// <summary>Settings of the <see cref="PolicyEngine"/>.</summary>
public sealed record PolicyEngineOptions
{
    public static PolicyEngineOptions Default { get; } = new();

    /// <summary>The tag that blocks every delete, whatever policy proposes it (default "protected").</summary>
    public string ProtectedTag { get; init; } = "protected";

    /// <summary>CPU percent below which a VM counts as idle for <c>vm.idleFor</c> (default 5, valid 0–100).</summary>
    public double IdleThresholdPercent { get; init; } = 5;

    /// <summary>Threads that evaluate whole-cluster policies side by side (default 1; at most 64). Each takes a contiguous
    /// range of at least 1,024 VMs and the results are merged in VM order, so any value gives the same result.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Tests only: resolve conflicts and order the result the straightforward way (<see cref="ConflictResolver"/>
    /// over all proposals, then one sort of everything) and render every reason at once, instead of per VM and on first
    /// read. Both give the same result; property tests compare them.</summary>
    internal bool Straightforward { get; init; }
}
