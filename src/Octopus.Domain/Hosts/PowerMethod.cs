namespace Octopus.Domain.Hosts;

/// <summary>How a host is switched on and off.</summary>
public enum PowerMethod
{
    /// <summary>In-process simulated host (the embedded default).</summary>
    Simulated,

    /// <summary>The host's own <c>octopus agent</c> shuts its node down; it cannot switch the node on.</summary>
    Agent,

    /// <summary>A BMC reached by <c>ipmitool -I lanplus</c> (IPMI 2.0 / RMCP+).</summary>
    Ipmi,

    /// <summary>A BMC's Redfish service over HTTPS (<c>ComputerSystem.Reset</c>).</summary>
    Redfish,

    /// <summary>Wake-on-LAN magic packets: power-on only.</summary>
    WakeOnLan,
}
