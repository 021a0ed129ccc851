using Octopus.Domain.Operations;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Records;

/// <summary>How far a running operation has got and, once it ended, what it cost (table <c>OperationFigures</c>, one
/// row per operation that reports figures: migrations). Written by the leader that runs the operation — at its start,
/// at most every half second while its driver reports, and at its end — so any replica answering
/// <c>GET /vms/{vm}/operation</c> sees the same figures, and they outlive a restart or a change of leader.</summary>
public sealed class OperationFiguresRecord
{
    public OperationId OperationId { get; set; }

    /// <summary>0–1 as the driver reported it; null when unknown (a failed run that never reported).</summary>
    public double? Progress { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The migration's whole time, as its driver measured it (else the wall time of the run), in milliseconds.</summary>
    public double? TotalMilliseconds { get; set; }

    /// <summary>How long the VM was paused for the switch-over, in milliseconds, when the driver reports it.</summary>
    public double? DowntimeMilliseconds { get; set; }
}

/// <summary>A VM's CPU load as the leader last observed it, and its short per-interval history (table <c>VmLoads</c>,
/// one row per observed VM). The leader keeps its working copy in memory (<c>TelemetryCache</c>) and writes this table
/// every few seconds, so every replica shows the same load and a new leader starts with the history instead of
/// waiting for it to fill again.</summary>
public sealed class VmLoadRecord
{
    public VmId VmId { get; set; }

    /// <summary>0–1 of the VM's vCPUs.</summary>
    public double Load { get; set; }

    public DateTimeOffset ObservedAt { get; set; }

    /// <summary>One sample per consolidation interval, oldest first, as invariant numbers separated by spaces.</summary>
    public string History { get; set; } = "";
}
