using Octopus.Domain.Hosts;

namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host takes new VMs only when its power state is On. Hosts powering on are not yet usable, hosts powering
/// off are being emptied, and failed hosts are unreachable; the power planner, not placement, decides to wake a host.</summary>
internal sealed class HostOnFilter : IPlacementFilter
{
    public const string Off = "off", PoweringOn = "powering-on", PoweringOff = "powering-off", Failed = "failed";

    public string Name => "HostOn";

    public bool IsStatic => true;

    public string? Check(PlacementRequest request, HostView host) => host.PowerState switch
    {
        HostPowerState.On => null,
        HostPowerState.Off => Off,
        HostPowerState.PoweringOn => PoweringOn,
        HostPowerState.PoweringOff => PoweringOff,
        HostPowerState.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(host), host.PowerState, "unknown host power state"),
    };

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, $"host is {host.PowerState}; only hosts that are On take new VMs");

    public string Summarize(string code, int hosts) => code switch
    {
        Off => $"{hosts} {(hosts == 1 ? "is" : "are")} off",
        PoweringOn => $"{hosts} {(hosts == 1 ? "is" : "are")} powering on",
        PoweringOff => $"{hosts} {(hosts == 1 ? "is" : "are")} powering off",
        Failed => $"{hosts} {(hosts == 1 ? "has" : "have")} failed",
        _ => $"{hosts} rejected by {Name} ({code})",
    };
}
