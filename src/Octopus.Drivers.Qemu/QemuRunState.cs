namespace Octopus.Drivers.Qemu;

/// <summary>What QEMU says a VM is doing (query-status), reduced to what the agent acts on, plus "not running at all".</summary>
public enum QemuRunState
{
    /// <summary>No QEMU process: the VM is defined on this host but stopped.</summary>
    Stopped,
    Running,
    /// <summary>Paused by the agent (QMP stop).</summary>
    Paused,
    /// <summary>Waiting for an incoming migration.</summary>
    Incoming,
    /// <summary>Migrated away; the source QEMU is about to be quit.</summary>
    Migrated,
    /// <summary>Any other QEMU status (internal-error, io-error, guest-panicked, shutdown, …); see the raw status.</summary>
    Faulted,
}

/// <summary>The observed state of one VM on this host.</summary>
/// <param name="State">Reduced state.</param>
/// <param name="QemuStatus">QEMU's own status word ("running", "paused", "inmigrate", …), or "stopped" without a process.</param>
/// <param name="Pid">The QEMU process, when there is one.</param>
public sealed record QemuVmState(QemuRunState State, string QemuStatus, int? Pid)
{
    internal static QemuRunState Reduce(string status) => status switch
    {
        "running" => QemuRunState.Running,
        "paused" or "suspended" => QemuRunState.Paused,
        "inmigrate" or "prelaunch" => QemuRunState.Incoming,
        "postmigrate" or "finish-migrate" => QemuRunState.Migrated,
        _ => QemuRunState.Faulted,
    };
}
