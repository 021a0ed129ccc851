namespace Octopus.Scheduling.Placement;

/// <summary>Chooses a host for one VM. Pure: reads the state, never changes it; the caller reserves the result.</summary>
public interface IPlacer
{
    /// <summary>Chooses the host for <paramref name="request"/>. With <paramref name="explain"/> every host is evaluated
    /// and <see cref="PlacementDecision.Hosts"/> holds each one's rejections and scores (for <c>vm explain</c>). Without it
    /// the placer may consult an index and skip hosts, and <see cref="PlacementDecision.Hosts"/> may be empty, but the
    /// chosen host is always the one explain mode would choose. Throws a validation error for a malformed request.</summary>
    PlacementDecision Place(PlacementRequest request, PlacementState state, bool explain);
}
