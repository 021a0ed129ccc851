using Octopus.Domain.Units;

namespace Octopus.Domain.Hosts;

/// <summary>What a host offers to VMs.</summary>
public sealed record HostCapacity(int Cores, Mips MipsPerCore, ByteSize Memory, ByteSize Disk)
{
    public Mips TotalMips => MipsPerCore * Cores;

    public static HostCapacity Create(int cores, Mips mipsPerCore, ByteSize memory, ByteSize disk)
    {
        if (cores < 1) throw DomainException.Invalid("cores", $"a host needs at least one core; got {cores}.");
        if (mipsPerCore.Value <= 0) throw DomainException.Invalid("mipsPerCore", $"MIPS per core must be positive; got {mipsPerCore.Value}.");
        if (memory.Bytes <= 0) throw DomainException.Invalid("memory", $"host memory must be positive; got {memory}.");
        if (disk.Bytes <= 0) throw DomainException.Invalid("disk", $"host disk must be positive; got {disk}.");
        return new HostCapacity(cores, mipsPerCore, memory, disk);
    }
}

/// <summary>Resources a host has handed out to VMs (reservations, not use).</summary>
public readonly record struct HostAllocation(int Cores, ByteSize Memory, ByteSize Disk, int VmCount)
{
    public static HostAllocation None => new(0, ByteSize.Zero, ByteSize.Zero, 0);
    public HostAllocation Add(int cores, ByteSize memory, ByteSize disk) => new(Cores + cores, Memory + memory, Disk + disk, VmCount + 1);

    /// <summary>What is left when one VM of this geometry gives its share back (the inverse of <see cref="Add"/>).</summary>
    public HostAllocation Remove(int cores, ByteSize memory, ByteSize disk) => new(Cores - cores, Memory - memory, Disk - disk, VmCount - 1);
}
