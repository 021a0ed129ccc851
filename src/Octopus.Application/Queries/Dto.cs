using Octopus.Contracts;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Queries;

/// <summary>Domain → wire shapes.</summary>
public static class Dto
{
    public static VmDto From(Vm v, string owner, string? host, double cpuLoad) => new(
        v.Id.ToString(), v.Name.Value, owner, v.State.ToString(), v.Spec.ToString(), host, v.Geometry.Cores,
        v.Geometry.Memory.Bytes, v.Geometry.Disk.Bytes, v.Geometry.Image.Value, v.StatusReason, v.CreatedAt, v.StateChangedAt,
        v.StartedAt, v.LeaseExpiresAt, [.. v.Tags], v.State == VmState.Running ? Math.Round(cpuLoad, 4) : 0);

    public static HostDto From(Host h, HostAllocation a, IReadOnlyList<string> vms) => new(
        h.Id.ToString(), h.Name, h.PowerState.ToString(), h.Maintenance, h.Capacity.Cores, h.Capacity.MipsPerCore.Value,
        h.Capacity.Memory.Bytes, h.Capacity.Disk.Bytes, a.Cores, a.Memory.Bytes, a.Disk.Bytes, a.VmCount,
        Math.Round(h.Load.Fraction, 4), Math.Round(h.PowerDraw.Value, 1), vms,
        PowerMeasured: h.MeasuredDraw is not null && h.PowerState is not (HostPowerState.Off or HostPowerState.Failed));

    public static QuotaDto From(Quota q) => new(q.MaxCores, q.MaxMemory?.Bytes, q.MaxDisk?.Bytes, q.MaxVms);

    public static QuotaUsageDto From(QuotaUsage u) => new(u.Cores, u.Memory.Bytes, u.Disk.Bytes, u.Vms);

    public static UserDto From(User u, QuotaUsage usage) => new(u.Id.ToString(), u.Name.Value, u.Role.ToString().ToLowerInvariant(),
        From(u.Quota), From(usage), u.CreatedAt, u.IsDisabled, u.Provider);

    public static AuditEntryDto From(AuditEntry a) => new(a.Id, a.At, a.Actor, a.Action, a.Target, a.Succeeded, a.Result, a.Details);
}
