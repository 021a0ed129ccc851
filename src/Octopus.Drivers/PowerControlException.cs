namespace Octopus.Drivers;

/// <summary>Why a power interface refused or failed, so callers (fallback order, health, the operator) can act on the
/// kind and show the message.</summary>
public enum PowerFault
{
    /// <summary>The BMC rejected the user name or password.</summary>
    WrongCredentials,

    /// <summary>Nothing answered at the address (wrong address or port, BMC down, network path missing).</summary>
    Unreachable,

    /// <summary>The interface did not answer in time.</summary>
    Timeout,

    /// <summary>The BMC's TLS certificate is not trusted (wrong CA, pin mismatch, self-signed without a pin).</summary>
    CertificateRejected,

    /// <summary>The method or the BMC cannot do this at all (Wake-on-LAN power-off, soft-off without an OS agent, …).</summary>
    Unsupported,

    /// <summary>The BMC understood and refused the request.</summary>
    Refused,

    /// <summary>The BMC's answer could not be understood.</summary>
    BadResponse,

    /// <summary>The local tool the method needs (ipmitool) is not installed or could not run.</summary>
    ToolMissing,
}

/// <summary>A host power interface could not do what was asked. <see cref="Exception.Message"/> says what was wrong and
/// what to do, and never contains a password.</summary>
public sealed class PowerControlException(PowerFault fault, string message, Exception? inner = null) : DriverException(message, inner)
{
    public PowerFault Fault { get; } = fault;
}
