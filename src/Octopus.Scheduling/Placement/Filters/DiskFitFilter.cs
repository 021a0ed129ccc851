using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement.Filters;

/// <summary>A host must have at least as much unallocated local disk as the VM's disk size (free = capacity -
/// allocated), counting the full size, because a thin disk that later cannot grow fails the guest's writes.</summary>
internal sealed class DiskFitFilter : IThresholdPlacementFilter
{
    public const string Code = "disk";

    public string Name => "DiskFit";

    public bool IsStatic => false;

    public string RejectionCode => Code;

    public string? Check(PlacementRequest request, HostView host) => Available(host) < Needed(request) ? Code : null;

    public long Available(HostView host) => host.Capacity.Disk.Bytes - host.Allocated.Disk.Bytes;

    public long Needed(PlacementRequest request) => request.Disk.Bytes;

    public Rejection Explain(PlacementRequest request, HostView host, string code) =>
        new(Name, code, $"needs {request.Disk} disk, {Free(host)} free of {host.Capacity.Disk}",
            new ResourceShortfall("disk", "bytes", request.Disk.Bytes, Free(host).Bytes, host.Capacity.Disk.Bytes));

    public string Summarize(string code, int hosts) => $"{hosts} {(hosts == 1 ? "lacks" : "lack")} disk";

    private static ByteSize Free(HostView host) => host.FreeDisk.Bytes < 0 ? ByteSize.Zero : host.FreeDisk;
}
