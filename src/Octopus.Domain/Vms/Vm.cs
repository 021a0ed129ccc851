using Octopus.Domain.Hosts;
using Octopus.Domain.Users;

namespace Octopus.Domain.Vms;

/// <summary>A virtual machine: its owner's spec (geometry, desired power) and its observed state. All state changes go
/// through the transition methods below, which reject illegal transitions with a <see cref="DomainException"/>
/// that says what the VM is doing and what is allowed.</summary>
public sealed class Vm
{
    private readonly List<string> _tags = [];

    private Vm() { } // for the store

    public VmId Id { get; private set; }
    public VmName Name { get; private set; }
    public UserId OwnerId { get; private set; }
    public Geometry Geometry { get; private set; } = null!;
    public VmPowerSpec Spec { get; private set; }
    public VmState State { get; private set; }
    public HostId? HostId { get; private set; }

    /// <summary>Why the VM is in its state (why pending, why failed); null when nothing needs saying.</summary>
    public string? StatusReason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset StateChangedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? LeaseExpiresAt { get; private set; }
    public IReadOnlyList<string> Tags => _tags;

    /// <summary>Optimistic-concurrency token, bumped on every change.</summary>
    public long Version { get; private set; }

    public static Vm Create(VmName name, UserId owner, Geometry geometry, DateTimeOffset now, IEnumerable<string>? tags = null,
        DateTimeOffset? leaseExpiresAt = null)
    {
        var vm = new Vm
        {
            Id = VmId.New(), Name = name, OwnerId = owner, Geometry = geometry, Spec = VmPowerSpec.Running,
            State = VmState.Pending, CreatedAt = now, StateChangedAt = now, LeaseExpiresAt = leaseExpiresAt,
            StatusReason = "waiting for placement",
        };
        foreach (var t in tags ?? []) vm.AddTag(t);
        return vm;
    }

    /// <summary>True while the VM holds resources on its host (everything but pending).</summary>
    public bool HoldsResources => HostId is not null;

    public bool IsTransitional => State is VmState.Creating or VmState.Starting or VmState.Stopping or VmState.Rebooting
        or VmState.Migrating or VmState.Deleting;

    // ---- user commands ------------------------------------------------------------------------------------

    /// <summary>Asks the VM to run. Returns false when it already is (or is starting): starting twice is not an error.</summary>
    public bool RequestStart(DateTimeOffset now)
    {
        switch (State)
        {
            case VmState.Running or VmState.Starting or VmState.Creating or VmState.Rebooting or VmState.Migrating:
                Spec = VmPowerSpec.Running;
                return false;
            case VmState.Stopped:
                Spec = VmPowerSpec.Running;
                MoveTo(VmState.Starting, now, null);
                return true;
            case VmState.Failed when HostId is not null:
                Spec = VmPowerSpec.Running;
                MoveTo(VmState.Starting, now, null);
                return true;
            case VmState.Failed:
                Spec = VmPowerSpec.Running;
                MoveTo(VmState.Pending, now, "waiting for placement");
                return true;
            case VmState.Pending:
                Spec = VmPowerSpec.Running;
                return false;
            case VmState.Suspended:
                throw Illegal("start a suspended VM this way (resume it)", "Stopped or Failed", "start-suspended");
            case VmState.Stopping or VmState.Deleting:
                throw Illegal("start", "Stopped or Failed");
            default:
                throw new InvalidOperationException($"unhandled state {State}");
        }
    }

    /// <summary>Asks the VM to stop. Returns false when it already is stopped or stopping.</summary>
    public bool RequestStop(DateTimeOffset now)
    {
        switch (State)
        {
            case VmState.Stopped or VmState.Stopping:
                Spec = VmPowerSpec.Stopped;
                return false;
            case VmState.Running or VmState.Suspended:
                Spec = VmPowerSpec.Stopped;
                MoveTo(VmState.Stopping, now, null);
                return true;
            case VmState.Failed when HostId is not null:
                Spec = VmPowerSpec.Stopped;
                MoveTo(VmState.Stopping, now, null);
                return true;
            case VmState.Pending or VmState.Creating or VmState.Starting or VmState.Rebooting or VmState.Migrating
                or VmState.Deleting or VmState.Failed:
                throw Illegal("stop", "Running");
            default:
                throw new InvalidOperationException($"unhandled state {State}");
        }
    }

    public void RequestReboot(DateTimeOffset now)
    {
        if (State != VmState.Running) throw Illegal("reboot", "Running");
        MoveTo(VmState.Rebooting, now, null);
    }

    /// <summary>Asks for the VM to be deleted. Returns false when a delete is already in flight.</summary>
    public bool RequestDelete(DateTimeOffset now)
    {
        if (State == VmState.Deleting) return false;
        if (State == VmState.Migrating) throw Illegal("delete", "any state but Migrating");
        Spec = VmPowerSpec.Deleted;
        MoveTo(VmState.Deleting, now, null);
        return true;
    }

    /// <summary>The driver paused the VM (vCPUs stopped, memory kept): Running → Suspended. Returns false when it
    /// already is suspended.</summary>
    public bool Suspend(DateTimeOffset now, string? reason = null)
    {
        if (State == VmState.Suspended) return false;
        if (State != VmState.Running) throw Illegal("suspend", "Running");
        MoveTo(VmState.Suspended, now, reason);
        return true;
    }

    /// <summary>The driver resumed the VM where it was: Suspended → Running. Returns false when it already runs.</summary>
    public bool Resume(DateTimeOffset now)
    {
        if (State == VmState.Running) return false;
        if (State != VmState.Suspended) throw Illegal("resume", "Suspended");
        Spec = VmPowerSpec.Running;
        MoveTo(VmState.Running, now, null);
        return true;
    }

    /// <summary>Its host failed: the VM gives up its place there and waits to be placed (and created from its disk) on
    /// another host. Allowed in every state but Deleting and Pending; the VM will run again (spec Running).</summary>
    public void RestartElsewhere(string reason, DateTimeOffset now)
    {
        if (State is VmState.Deleting or VmState.Pending) throw Illegal("restart elsewhere", "it is placed on a host and not being deleted", "restart-elsewhere");
        HostId = null;
        StartedAt = null;
        Spec = VmPowerSpec.Running;
        MoveTo(VmState.Pending, now, reason);
    }

    // ---- reconciler events -----------------------------------------------------------------------------------

    /// <summary>The scheduler chose a host: resources are now held there and creation begins.</summary>
    public void Place(HostId host, DateTimeOffset now)
    {
        if (State != VmState.Pending) throw Illegal("place", "Pending");
        HostId = host;
        MoveTo(VmState.Creating, now, null);
    }

    /// <summary>No host fits now; the VM stays pending with the reason shown to its owner.</summary>
    public void StayPending(string reason)
    {
        if (State != VmState.Pending) throw Illegal("stay pending", "Pending", "stay-pending");
        if (StatusReason != reason) { StatusReason = reason; Version++; }
    }

    /// <summary>Says why a stopped VM is stopped (e.g. a revert that failed and left it on its previous disk).</summary>
    public void ExplainStopped(string reason)
    {
        if (State != VmState.Stopped) throw Illegal("explain why it is stopped", "Stopped", "explain-stopped");
        if (StatusReason != reason) { StatusReason = reason; Version++; }
    }

    /// <summary>The driver finished the operation in flight; the VM reaches the state that operation leads to.</summary>
    public void CompleteOperation(DateTimeOffset now)
    {
        switch (State)
        {
            case VmState.Creating or VmState.Starting or VmState.Rebooting:
                MoveTo(VmState.Running, now, null);
                StartedAt = now;
                if (Spec == VmPowerSpec.Stopped) MoveTo(VmState.Stopping, now, null);
                break;
            case VmState.Stopping:
                MoveTo(VmState.Stopped, now, null);
                StartedAt = null;
                if (Spec == VmPowerSpec.Running) MoveTo(VmState.Starting, now, null);
                break;
            case VmState.Migrating:
                MoveTo(VmState.Running, now, null);
                break;
            case VmState.Deleting:
                HostId = null;
                Version++;
                break;
            default:
                throw Illegal("complete an operation", "a transitional state", "complete-operation");
        }
    }

    /// <summary>The operation in flight failed. The VM keeps its host (so it can be started again or deleted).</summary>
    public void Fail(string reason, DateTimeOffset now)
    {
        StartedAt = null;
        MoveTo(VmState.Failed, now, reason);
    }

    public void BeginMigration(HostId destination, string destinationName, DateTimeOffset now)
    {
        if (State != VmState.Running) throw Illegal("migrate", "Running");
        if (destination == HostId) throw DomainException.Conflict("vm.same-host", $"VM '{Name}' is already on that host.");
        MoveTo(VmState.Migrating, now, $"migrating to {destinationName}");
    }

    public void CompleteMigration(HostId destination, DateTimeOffset now)
    {
        if (State != VmState.Migrating) throw Illegal("complete a migration", "Migrating", "complete-migration");
        HostId = destination;
        MoveTo(VmState.Running, now, null);
    }

    public void AbortMigration(string reason, DateTimeOffset now)
    {
        if (State != VmState.Migrating) throw Illegal("abort a migration", "Migrating", "abort-migration");
        MoveTo(VmState.Running, now, $"migration failed: {reason}");
    }

    // ---- attributes -------------------------------------------------------------------------------------------

    public void AddTag(string tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > 63 || tag.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '=')))
            throw DomainException.Invalid("tags", $"'{tag}' is not a valid tag: use 1-63 letters, digits, '-', '_', '.', ':' or '='.",
                "tag", new Dictionary<string, object> { ["value"] = tag ?? "" });
        if (!_tags.Contains(tag)) { _tags.Add(tag); Version++; }
    }

    public void SetLease(DateTimeOffset? expiresAt) { LeaseExpiresAt = expiresAt; Version++; }

    /// <summary>Gives the VM to another user (an administrator deleting its owner); its state and disks are untouched.</summary>
    public void TransferTo(UserId owner) { OwnerId = owner; Version++; }

    private void MoveTo(VmState next, DateTimeOffset now, string? reason)
    {
        State = next;
        StateChangedAt = now;
        StatusReason = reason;
        Version++;
    }

    /// <param name="action">What was asked, as the English message says it.</param>
    /// <param name="allowed">The states that allow it, in English.</param>
    /// <param name="key">The problem's <c>args.action</c>: <paramref name="action"/> as one word (start, stop, …) or
    /// hyphenated words, when it is not one already.</param>
    private DomainException Illegal(string action, string allowed, string? key = null) =>
        new(ErrorKind.Conflict, "vm.illegal-transition",
            $"Cannot {action} VM '{Name}': it is {State}{(StatusReason is null ? "" : $" ({StatusReason})")}. Allowed when {allowed}.",
            args: new Dictionary<string, object> { ["name"] = Name.ToString(), ["action"] = key ?? action, ["state"] = State.ToString() });
}
