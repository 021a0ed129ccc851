using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Drivers;

/// <summary>What a host's power interface reports.</summary>
public enum PowerStatus
{
    On,
    Off,

    /// <summary>The method cannot tell (Wake-on-LAN has no way back from the host).</summary>
    Unknown,
}

/// <summary>How to switch a host off.</summary>
public enum PowerOffMode
{
    /// <summary>Ask the operating system to shut down (ACPI soft-off, Redfish GracefulShutdown); may take a while
    /// or be ignored, so the caller waits for <see cref="PowerStatus.Off"/> and decides what to do after a timeout.</summary>
    Graceful,

    /// <summary>Cut the power now.</summary>
    Force,
}

/// <summary>Switches and reads ONE host's power through its management interface (a BMC over IPMI or Redfish,
/// Wake-on-LAN, …), configured for that host. Every call either succeeds or throws
/// <see cref="PowerControlException"/> saying what was wrong and what to do. Power-on and power-off are idempotent:
/// asking for the state the host is already in succeeds.</summary>
public interface IHostPowerControl
{
    /// <summary>The method this control speaks.</summary>
    PowerMethod Method { get; }

    /// <summary>The chassis power as the interface reports it now.</summary>
    Task<PowerStatus> GetStatusAsync(CancellationToken ct);

    /// <summary>Switches the host on. Returns when the interface accepted the request, not when the host booted.</summary>
    Task PowerOnAsync(CancellationToken ct);

    /// <summary>Switches the host off. Returns when the interface accepted the request; a graceful shutdown may
    /// still be running (poll <see cref="GetStatusAsync"/>). The caller guarantees the host holds no running VM.</summary>
    Task PowerOffAsync(PowerOffMode mode, CancellationToken ct);

    /// <summary>The power the host draws now as the BMC measures it, or null when the interface reports none
    /// (no DCMI, no Redfish PowerControl, Wake-on-LAN).</summary>
    Task<Watts?> ReadPowerAsync(CancellationToken ct);
}
