using Octopus.Domain.Units;

namespace Octopus.Domain.Users;

/// <summary>Limits on what one user's VMs may hold in total. A null limit means unlimited.</summary>
public sealed record Quota(int? MaxCores, ByteSize? MaxMemory, ByteSize? MaxDisk, int? MaxVms)
{
    public static Quota Unlimited { get; } = new(null, null, null, null);

    public static Quota Create(int? maxCores, ByteSize? maxMemory, ByteSize? maxDisk, int? maxVms)
    {
        if (maxCores < 0) throw DomainException.Invalid("maxCores", "maxCores must be zero or more.");
        if (maxMemory?.Bytes < 0) throw DomainException.Invalid("maxMemoryBytes", "maxMemoryBytes must be zero or more.");
        if (maxDisk?.Bytes < 0) throw DomainException.Invalid("maxDiskBytes", "maxDiskBytes must be zero or more.");
        if (maxVms < 0) throw DomainException.Invalid("maxVms", "maxVms must be zero or more.");
        return new Quota(maxCores, maxMemory, maxDisk, maxVms);
    }

    /// <summary>Throws a <see cref="ErrorKind.QuotaExceeded"/> error naming the limit, the current usage and the amount
    /// asked for when <paramref name="usage"/> plus <paramref name="request"/> would pass any limit.</summary>
    public void EnsureAllows(QuotaUsage usage, QuotaUsage request)
    {
        Check("cores", MaxCores, usage.Cores, request.Cores, v => v.ToString(), "count");
        Check("memory", MaxMemory?.Bytes, usage.Memory.Bytes, request.Memory.Bytes, v => new ByteSize(v).ToString(), "bytes");
        Check("disk", MaxDisk?.Bytes, usage.Disk.Bytes, request.Disk.Bytes, v => new ByteSize(v).ToString(), "bytes");
        Check("VMs", MaxVms, usage.Vms, request.Vms, v => v.ToString(), "count");
    }

    /// <remarks>The problem's args: resource (cores, memory, disk, VMs), limit, used, asked (numbers) and unit (bytes or
    /// count), so a client formats the figures itself.</remarks>
    private static void Check(string what, long? limit, long used, long asked, Func<long, string> show, string unit)
    {
        if (limit is null || used + asked <= limit) return;
        throw new DomainException(ErrorKind.QuotaExceeded, "quota.exceeded",
            $"Quota exceeded for {what}: the quota is {show(limit.Value)}, {show(used)} in use, {show(asked)} asked for. " +
            "Free some resources or ask an administrator to raise the quota.", what,
            new Dictionary<string, object> { ["resource"] = what, ["limit"] = limit.Value, ["used"] = used, ["asked"] = asked, ["unit"] = unit });
    }
}

/// <summary>What a user's VMs hold (or what one request asks for), in quota terms.</summary>
public readonly record struct QuotaUsage(int Cores, ByteSize Memory, ByteSize Disk, int Vms)
{
    public static QuotaUsage None => new(0, ByteSize.Zero, ByteSize.Zero, 0);
    public static QuotaUsage operator +(QuotaUsage a, QuotaUsage b) => new(a.Cores + b.Cores, a.Memory + b.Memory, a.Disk + b.Disk, a.Vms + b.Vms);
}
