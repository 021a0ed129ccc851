using Octopus.Domain;
using Octopus.Domain.Units;

namespace Octopus.Scheduling.Placement;

/// <summary>What a new VM asks of a host. Only the amounts matter to placement; the name is carried for messages.</summary>
public sealed record PlacementRequest(string VmName, int Cores, ByteSize Memory, ByteSize Disk)
{
    /// <summary>Throws a validation error naming the field when the request could not describe a VM.</summary>
    public void Validate()
    {
        if (Cores < 1)
            throw DomainException.Invalid("cores", $"VM '{VmName}' must ask for at least 1 vCPU; got {Cores}.");
        if (Memory.Bytes <= 0)
            throw DomainException.Invalid("memoryBytes", $"VM '{VmName}' must ask for some memory; got {Memory}.");
        if (Disk.Bytes < 0)
            throw DomainException.Invalid("diskBytes", $"VM '{VmName}' cannot ask for a negative disk; got {Disk.Bytes} bytes.");
    }

    /// <summary>What <paramref name="vm"/> holds on a host: its geometry's cores, memory and disk.</summary>
    public static PlacementRequest For(Octopus.Domain.Vms.Vm vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        return new(vm.Name.Value, vm.Geometry.Cores, vm.Geometry.Memory, vm.Geometry.Disk);
    }

    /// <summary>The amounts in words, e.g. "4 vCPU, 8 GiB memory, 20 GiB disk", for summaries.</summary>
    public string Describe() => $"{Cores} vCPU, {Memory} memory, {Disk} disk";
}
