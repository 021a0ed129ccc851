namespace Octopus.Persistence.Leadership;

/// <summary>The leader term the current flow of execution acts under. A leader-only loop enters its term
/// (<see cref="Enter"/>) before it runs; every <see cref="OctopusDbContext"/> created inside that flow (its passes, the
/// operations it starts, the services they call) captures the term as <see cref="OctopusDbContext.FencingTerm"/>, and
/// each of its saves first checks, inside the save's own transaction, that the store's term is still this one. A replica
/// that lost the leadership therefore cannot write a decision after the next leader raised the term: the save throws
/// <see cref="StaleLeaderException"/> and nothing is written. Requests served by any replica run outside a term and are
/// not fenced (they are ordinary commands, valid on every replica).</summary>
public static class LeaderFence
{
    private static readonly AsyncLocal<long?> Term = new();

    /// <summary>The term of the current flow, or null outside a leader flow.</summary>
    public static long? Current => Term.Value;

    /// <summary>Acts under <paramref name="term"/> until the returned scope is disposed (within this async flow and the
    /// tasks it starts).</summary>
    public static IDisposable Enter(long term)
    {
        var previous = Term.Value;
        Term.Value = term;
        return new Exit(previous);
    }

    private sealed class Exit(long? previous) : IDisposable
    {
        public void Dispose() => Term.Value = previous;
    }
}

/// <summary>A leader's write was refused because the store's term moved on: another replica leads now.</summary>
public sealed class StaleLeaderException(long term, long? current)
    : InvalidOperationException($"this replica acted as leader for term {term}, but the store's term is {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}; the write was refused (another replica leads now)")
{
    public long Term { get; } = term;
    public long? CurrentTerm { get; } = current;
}
