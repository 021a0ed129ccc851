using Octopus.Domain.Units;

namespace Octopus.Domain.Vms;

/// <summary>What a VM asks for: vCPUs, memory, disk and image. Any geometry the cluster can hold is allowed;
/// <see cref="Create"/> checks only that it is sane (positive, within hard limits), placement checks that it fits.</summary>
public sealed record Geometry(int Cores, ByteSize Memory, ByteSize Disk, ImageName Image)
{
    /// <summary>Hard limits that no cluster could honour; anything above is a typo, not a request.</summary>
    public const int MaxCores = 1024;
    public static readonly ByteSize MinMemory = ByteSize.FromMiB(64);
    public static readonly ByteSize MaxMemory = ByteSize.FromTiB(16);
    public static readonly ByteSize MinDisk = ByteSize.FromMiB(64);
    public static readonly ByteSize MaxDisk = ByteSize.FromTiB(64);

    public static Geometry Create(int cores, ByteSize memory, ByteSize disk, ImageName image)
    {
        if (cores < 1 || cores > MaxCores)
            throw DomainException.Invalid("cores", $"cores must be between 1 and {MaxCores}; got {cores}.", "range", Range(1, MaxCores, cores, "count"));
        if (memory < MinMemory || memory > MaxMemory)
            throw DomainException.Invalid("memoryBytes", $"memory must be between {MinMemory} and {MaxMemory}; got {memory}.", "range",
                Range(MinMemory.Bytes, MaxMemory.Bytes, memory.Bytes, "bytes"));
        if (disk < MinDisk || disk > MaxDisk)
            throw DomainException.Invalid("diskBytes", $"disk must be between {MinDisk} and {MaxDisk}; got {disk}.", "range",
                Range(MinDisk.Bytes, MaxDisk.Bytes, disk.Bytes, "bytes"));
        return new Geometry(cores, memory, disk, image);
    }

    public override string ToString() => $"{Cores} vCPU, {Memory} RAM, {Disk} disk, {Image}";

    /// <summary>A range refusal's args: min, max, value (numbers) and unit (bytes or count).</summary>
    private static Dictionary<string, object> Range(long min, long max, long value, string unit) =>
        new() { ["min"] = min, ["max"] = max, ["value"] = value, ["unit"] = unit };
}
