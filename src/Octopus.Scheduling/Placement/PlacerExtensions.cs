namespace Octopus.Scheduling.Placement;

/// <summary>Questions about one given host, answered by the same filters that placement uses.</summary>
public static class PlacerExtensions
{
    /// <summary>Null when <paramref name="host"/> (as it is now) can take <paramref name="request"/>; otherwise every
    /// filter's reason, joined with "; ". Used when the destination is chosen by someone else (a migration).</summary>
    public static string? WhyNotOn(this IPlacer placer, PlacementRequest request, HostView host)
    {
        ArgumentNullException.ThrowIfNull(placer);
        var decision = placer.Place(request, PlacementState.From([host]), explain: true);
        return decision.ChosenHost is not null
            ? null
            : string.Join("; ", decision.Hosts.SelectMany(h => h.Rejections).Select(r => r.Reason));
    }
}
