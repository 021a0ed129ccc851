namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host must have at least as many unallocated cores as the VM asks vCPUs (free = capacity - allocated);
/// vCPUs are not overcommitted.</summary>
internal sealed class CoresFitFilter : IThresholdPlacementFilter
{
    public const string Code = "cores";

    public string Name => "CoresFit";

    public bool IsStatic => false;

    public string RejectionCode => Code;

    public string? Check(PlacementRequest request, HostView host) => Available(host) < Needed(request) ? Code : null;

    public long Available(HostView host) => host.FreeCores;

    public long Needed(PlacementRequest request) => request.Cores;

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, $"needs {request.Cores} vCPU, {Math.Max(0, host.FreeCores)} cores free of {host.Capacity.Cores}",
            new ResourceShortfall("cores", "cores", request.Cores, Math.Max(0, host.FreeCores), host.Capacity.Cores));

    public string Summarize(string code, int hosts) => $"{hosts} {(hosts == 1 ? "lacks" : "lack")} cores";
}
