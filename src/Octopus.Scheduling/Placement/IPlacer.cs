namespace Octopus.Scheduling.Placement;

/// <summary>Chooses a host for one VM. Pure: reads the state, never changes it; the caller reserves the result.</summary>
public interface IPlacer
{
    /// <summary>Chooses the host for <paramref name="request"/>. With <paramref name="explain"/> every host is evaluated
    /// and <see cref="PlacementDecision.Hosts"/> holds each one's rejections and scores (for <c>vm explain</c>). Without it
    /// the placer may consult an index and skip hosts, and <see cref="PlacementDecision.Hosts"/> may be empty, but the
    /// chosen host is always the one explain mode would choose. Throws a validation error for a malformed request.</summary>
    PlacementDecision Place(PlacementRequest request, PlacementState state, bool explain);

    /// <summary>The code of the first filter that refuses <paramref name="host"/> (as it is now) for
    /// <paramref name="request"/>, or null when every filter takes it: the same filters, in the same order, as
    /// <see cref="Place"/>. Cheap and allocation-free, for a planner that asks about many (VM, host) pairs (consolidation);
    /// <see cref="PlacerExtensions.WhyNotOn"/> gives the reasons in words.</summary>
    string? Refuses(PlacementRequest request, HostView host);
}
