namespace Octopus.Domain.Vms;

/// <summary>Observed lifecycle state of a VM. Transitional states (…ing) mean an operation is in flight.</summary>
public enum VmState
{
    /// <summary>Waiting for a host with room; the VM's status reason says why none fits.</summary>
    Pending,
    Creating,
    Starting,
    Running,
    Stopping,
    Stopped,
    Rebooting,
    Migrating,
    Deleting,
    /// <summary>An operation failed; the status reason says which and why. Start or delete to recover.</summary>
    Failed,
    /// <summary>Paused in place by a suspend (a policy's or a user's): vCPUs stopped, memory and host kept, no CPU used.
    /// Start (or resume) continues it exactly where it was; stop or delete as from Running.</summary>
    Suspended,
}

/// <summary>What the owner wants the VM to be: the reconciler drives <see cref="VmState"/> towards it.</summary>
public enum VmPowerSpec
{
    Running,
    Stopped,
    Deleted,
}
