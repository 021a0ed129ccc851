using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Domain.Operations;

/// <summary>What a driver is asked to do.</summary>
public enum OperationKind
{
    CreateVm,
    StartVm,
    StopVm,
    RebootVm,
    DeleteVm,
    MigrateVm,
    PowerOnHost,
    PowerOffHost,

    /// <summary>Pause a running VM (vCPUs stopped, memory kept); the VM goes Suspended once the driver has done it and
    /// stays Running if the driver fails.</summary>
    SuspendVm,

    /// <summary>Continue a suspended VM where it was; it goes Running once the driver has done it.</summary>
    ResumeVm,

    /// <summary>Snapshot a VM's disk (<see cref="Operation.Payload"/>: the snapshot's name); a running VM whose node holds
    /// the file open is moved onto its new leaf by the driver. The VM's state does not change.</summary>
    SnapshotVm,

    /// <summary>Give a forked VM its disk, a new child of the source VM's current state (<see cref="Operation.Payload"/>:
    /// a <see cref="ForkPayload"/>). Journaled with the new VM in one transaction; the VM's create runs after it, and
    /// never gives a VM whose fork disk is missing a fresh image disk. On failure the new VM is deleted.</summary>
    ForkDisk,

    /// <summary>Have the VM's node enforce its security group as the store has it now (rules changed while it runs). The
    /// runner reads the rules when it runs, so one pending operation covers any number of changes; the VM's state does not
    /// change. A VM that is not running needs none: its next start carries the rules.</summary>
    ApplyFirewall,

    /// <summary>Stop a running VM, continue it from one of its snapshots (<see cref="Operation.Payload"/>: the snapshot's
    /// name) and start it again, as one operation with three recorded steps. The command moves the VM to Stopping; the
    /// runner moves it through Stopped (the revert) and Starting to Running, recording each step so a replay after a
    /// restart resumes at the step it had reached. A failed stop fails the VM as a stop does and reverts nothing; a failed
    /// revert leaves it Stopped on the disk it had (the disk tree rolls its intent back) and starts nothing; a failed start
    /// leaves it Failed on the reverted disk.</summary>
    RevertVm,

    /// <summary>Have a host's DNS answer the names of every NIC on one network (<see cref="Operation.Payload"/>: the
    /// network's name), wherever those NICs' VMs are; a host operation (no VM). Journaled for every host with a NIC on the
    /// network once a VM with a NIC on it was created, migrated or deleted. The runner reads the names when it runs, so one
    /// pending operation per host and network covers any number of changes.</summary>
    PublishNames,

    /// <summary>A checkpoint a policy takes of a VM's disk (<see cref="Operation.Payload"/>: a <see cref="CheckpointPayload"/>),
    /// then the policy's retention; like <see cref="SnapshotVm"/>, a running VM whose node holds the file open is moved
    /// onto its new leaf by the driver, and the VM's state does not change. Resumed after a crash, it finds the
    /// checkpoint it already took (by its name) and only applies the retention.</summary>
    CheckpointVm,

    /// <summary>Continue a stopped VM from one of its snapshots (<see cref="Operation.Payload"/>: the snapshot's name): a
    /// new leaf under the snapshot, the one it abandons kept for the collector's grace period. The VM's state does not
    /// change, and a start asked for meanwhile waits for it. Before the disk tree is asked the operation records which
    /// leaf it abandons, so a replay after a crash that came once the tree had committed finds the VM on another leaf and
    /// is done (it never reverts twice). A running VM is reverted by <see cref="RevertVm"/> instead.</summary>
    RevertDisk,
}

public enum OperationStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// <summary>A durable record of an action in flight, written before the driver is called, so that a server restart
/// resumes it (driver calls are idempotent) instead of leaving a VM half-made.</summary>
public sealed class Operation
{
    private Operation() { } // for the store

    public OperationId Id { get; private set; }
    public OperationKind Kind { get; private set; }
    public VmId? VmId { get; private set; }
    public HostId? HostId { get; private set; }

    /// <summary>Destination host for migrations.</summary>
    public HostId? TargetHostId { get; private set; }

    public OperationStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public string? Error { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public string Actor { get; private set; } = "";

    /// <summary>Why it was asked for, recorded on the VM when it completes (e.g. "suspended by policy night"); null: no reason given.</summary>
    public string? Reason { get; private set; }

    /// <summary>The steps taken so far, one per line: the moment (round-trip format), a space, what happened. Written as
    /// each step ends so a long operation (a host power sequence) shows where it is; see <see cref="StepLines"/>.</summary>
    public string? Steps { get; private set; }

    /// <summary>At most this many steps are kept (the first ones and the last ones matter; a retry loop can repeat).</summary>
    public const int MaxSteps = 40;

    public bool IsFinished => Status is OperationStatus.Succeeded or OperationStatus.Failed;

    /// <summary>The kind's argument, as text: for <see cref="OperationKind.SnapshotVm"/> the snapshot's name, for
    /// <see cref="OperationKind.ForkDisk"/> a <see cref="ForkPayload"/>, for <see cref="OperationKind.CheckpointVm"/> a
    /// <see cref="CheckpointPayload"/>; null for
    /// kinds that need none.</summary>
    public string? Payload { get; private set; }

    /// <summary>The machine-readable code of <see cref="Error"/> (e.g. <c>vm.disk-switch-failed</c>), when it has one.</summary>
    public string? ErrorCode { get; private set; }

    public static Operation Begin(OperationKind kind, VmId? vm, HostId? host, string actor, DateTimeOffset now, HostId? target = null,
        string? reason = null, string? payload = null) => new()
    {
        Id = OperationId.New(), Kind = kind, VmId = vm, HostId = host, TargetHostId = target, Status = OperationStatus.Pending,
        CreatedAt = now, Actor = actor, Reason = reason, Payload = payload,
    };

    /// <summary>Back to the queue after a restart interrupted it; drivers are idempotent, so running it again is safe.</summary>
    public void Requeue() => Status = OperationStatus.Pending;

    /// <summary>A pending operation waits until then before it runs again (the backoff of <see cref="RetryAt"/>); null:
    /// it runs as soon as it can.</summary>
    public DateTimeOffset? NotBefore { get; private set; }

    /// <summary>Whether the runner may start it at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => Status == OperationStatus.Pending && (NotBefore is null || NotBefore <= now);

    /// <summary>A failed run that is to be tried again: back to the queue, not before <paramref name="at"/>, keeping
    /// <paramref name="error"/> as the last failure (what <c>operation show</c> tells while it waits).</summary>
    public void RetryAt(string error, DateTimeOffset at)
    {
        Status = OperationStatus.Pending; Error = error; NotBefore = at;
    }

    /// <summary>A waiting retry is wanted now (a newer request for the same work arrived): the backoff is dropped.</summary>
    public void DueNow() => NotBefore = null;

    /// <summary>The server replica that claimed the operation when it last started running, and the leader term it held
    /// then (null until first run). A new leader requeues every operation still Running under an older term: the
    /// replica that claimed it is no longer allowed to finish it (its writes are fenced by the term).</summary>
    public Guid? ClaimHolder { get; private set; }

    /// <summary>The leader term of <see cref="ClaimHolder"/>'s claim.</summary>
    public long? ClaimTerm { get; private set; }

    /// <summary>Starts a run, claimed by <paramref name="holder"/> under leader term <paramref name="term"/>.</summary>
    public void MarkRunning(Guid holder, long term)
    {
        Status = OperationStatus.Running; Attempts++; ClaimHolder = holder; ClaimTerm = term;
    }
    public void Succeed(DateTimeOffset now) { Status = OperationStatus.Succeeded; CompletedAt = now; Error = null; NotBefore = null; }
    public void FailWith(string error, DateTimeOffset now, string? code = null)
    {
        Status = OperationStatus.Failed; CompletedAt = now; Error = error; ErrorCode = code; NotBefore = null;
    }

    /// <summary>Appends a step (line breaks in <paramref name="text"/> become spaces). Past <see cref="MaxSteps"/> the
    /// oldest step after the first is dropped.</summary>
    public void RecordStep(string text, DateTimeOffset now)
    {
        var line = now.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + " " + text.ReplaceLineEndings(" ");
        var lines = Steps is null ? [] : Steps.Split('\n').ToList();
        lines.Add(line);
        if (lines.Count > MaxSteps) lines.RemoveAt(1);
        Steps = string.Join('\n', lines);
    }

    /// <summary>The recorded steps in order, each with its moment.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Text)> StepLines() =>
        Steps is null ? [] : [.. Steps.Split('\n').Select(l =>
        {
            var space = l.IndexOf(' ', StringComparison.Ordinal);
            return (DateTimeOffset.Parse(l[..space], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind), l[(space + 1)..]);
        })];
}
