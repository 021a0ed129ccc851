using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host must have at least as much unallocated memory as the VM asks (free = capacity - allocated); memory
/// is never overcommitted, because a guest that swaps hurts every VM on its host.</summary>
internal sealed class MemoryFitFilter : IThresholdPlacementFilter
{
    public const string Code = "memory";

    public string Name => "MemoryFit";

    public bool IsStatic => false;

    public string RejectionCode => Code;

    public string? Check(PlacementRequest request, HostView host) => Available(host) < Needed(request) ? Code : null;

    public long Available(HostView host) => host.Capacity.Memory.Bytes - host.Allocated.Memory.Bytes;

    public long Needed(PlacementRequest request) => request.Memory.Bytes;

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, $"needs {request.Memory} memory, {Free(host)} free of {host.Capacity.Memory}",
            new ResourceShortfall("memory", "bytes", request.Memory.Bytes, Free(host).Bytes, host.Capacity.Memory.Bytes));

    public string Summarize(string code, int hosts) => $"{hosts} {(hosts == 1 ? "lacks" : "lack")} memory";

    private static ByteSize Free(HostView host) => host.FreeMemory.Bytes < 0 ? ByteSize.Zero : host.FreeMemory;
}
