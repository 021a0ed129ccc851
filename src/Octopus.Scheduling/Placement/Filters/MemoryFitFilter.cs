using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host must have at least as much unallocated memory as the VM asks (free = capacity - allocated); memory
/// is never overcommitted, because a guest that swaps hurts every VM on its host.</summary>
internal sealed class MemoryFitFilter : IPlacementFilter
{
    public const string Code = "memory";

    public string Name => "MemoryFit";

    public bool IsStatic => false;

    public string? Check(PlacementRequest request, HostView host) =>
        host.Capacity.Memory.Bytes - host.Allocated.Memory.Bytes < request.Memory.Bytes ? Code : null;

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, $"needs {request.Memory} memory, {Free(host)} free of {host.Capacity.Memory}");

    public string Summarize(string code, int hosts) => $"{hosts} {(hosts == 1 ? "lacks" : "lack")} memory";

    private static ByteSize Free(HostView host) => host.FreeMemory.Bytes < 0 ? ByteSize.Zero : host.FreeMemory;
}
