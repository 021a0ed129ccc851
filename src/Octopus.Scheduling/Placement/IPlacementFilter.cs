namespace Octopus.Scheduling.Placement;

/// <summary>A feasibility check: one rule a host must meet to take a VM. Filters are stateless and pure; they see
/// only the request and the host, never other hosts or global configuration.</summary>
public interface IPlacementFilter
{
    /// <summary>Plugin name shown in explanations, e.g. "MemoryFit".</summary>
    string Name { get; }

    /// <summary>True when the verdict depends only on fields that reservations never change (power state, maintenance)
    /// and not on the request. The fast path applies such filters once, when it builds its index, and drops the hosts
    /// they reject.</summary>
    bool IsStatic { get; }

    /// <summary>Returns the rejection code when <paramref name="host"/> cannot take <paramref name="request"/>, or null
    /// when it can. Must be cheap and allocation-free: the fast path calls it for every candidate. The code is a constant
    /// owned by this filter and names the reason, never a bare yes/no.</summary>
    string? Check(PlacementRequest request, HostView host);

    /// <summary>The full rejection, with the numbers in its reason, for a host that <see cref="Check"/> refused with
    /// <paramref name="code"/>.</summary>
    Rejection Explain(PlacementRequest request, HostView host, string code);

    /// <summary>The count of hosts rejected with <paramref name="code"/> in words, e.g. "5 lack memory", "1 is off".</summary>
    string Summarize(string code, int hosts);
}

/// <summary>A filter of the form "the host has at least as much of something as the request needs" (free cores, free
/// memory, free disk): <see cref="IPlacementFilter.Check"/> rejects exactly when <see cref="Available"/> is below
/// <see cref="Needed"/>. The fast path keeps the largest available amount per block of its index, so it can skip whole
/// blocks of hosts none of which could pass.</summary>
public interface IThresholdPlacementFilter : IPlacementFilter
{
    /// <summary>How much the host has free, in the filter's own unit; may be negative when overcommitted.</summary>
    long Available(HostView host);

    /// <summary>How much the request needs, in the same unit.</summary>
    long Needed(PlacementRequest request);

    /// <summary>The one code <see cref="IPlacementFilter.Check"/> returns when it rejects.</summary>
    string RejectionCode { get; }
}
