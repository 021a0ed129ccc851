using Octopus.Domain.Hosts;
using Octopus.Scheduling.Placement;

namespace Octopus.Application.Control;

/// <summary>Which switched-off hosts to power on so that VMs that fit nowhere now would fit: placement is tried again
/// on a what-if cluster in which every Off host (not in maintenance) and every host already powering on counts as On,
/// after what this pass already placed is reserved; each Off host that what-if placement chooses is the answer. Hosts
/// already powering on are waited for, not doubled. Used for pending VMs (placement) and for VMs a host in maintenance
/// must lose (evacuation): one feasibility model, the placer's.</summary>
public static class PowerOnForRoom
{
    public static IReadOnlySet<HostId> HostsToWake(IPlacer placer, IReadOnlyList<HostView> views,
        IEnumerable<(HostId Host, PlacementRequest Request)> placedThisPass, IEnumerable<PlacementRequest> unplaced)
    {
        ArgumentNullException.ThrowIfNull(placer);
        ArgumentNullException.ThrowIfNull(views);
        var wake = new HashSet<HostId>();
        var requests = unplaced.ToList();
        if (requests.Count == 0 || !views.Any(h => h.PowerState is HostPowerState.Off or HostPowerState.PoweringOn)) return wake;
        var whatIf = PlacementState.From(views.Select(h =>
            h.PowerState is HostPowerState.Off or HostPowerState.PoweringOn && !h.Maintenance ? h with { PowerState = HostPowerState.On } : h));
        foreach (var (host, request) in placedThisPass) whatIf.Reserve(host, request);
        var power = views.ToDictionary(h => h.Id, h => h.PowerState);
        foreach (var request in requests)
        {
            if (placer.Place(request, whatIf, explain: false).ChosenHost is not { } host) continue;
            whatIf.Reserve(host, request);
            if (power[host] == HostPowerState.Off) wake.Add(host);
        }
        return wake;
    }
}
