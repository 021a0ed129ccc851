namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host in maintenance takes no new VMs: it is being drained or repaired, and a new VM there would only
/// have to move again.</summary>
internal sealed class MaintenanceFilter : IPlacementFilter
{
    public const string Code = "maintenance";

    public string Name => "Maintenance";

    public bool IsStatic => true;

    public string? Check(PlacementRequest request, HostView host) => host.Maintenance ? Code : null;

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, "host is in maintenance; it takes no new VMs until maintenance ends");

    public string Summarize(string code, int hosts) => $"{hosts} {(hosts == 1 ? "is" : "are")} in maintenance";
}
