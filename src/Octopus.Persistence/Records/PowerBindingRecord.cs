using Octopus.Domain.Hosts;

namespace Octopus.Persistence.Records;

/// <summary>How one host is switched (table <c>PowerBindings</c>, one row per configured host): the method, the BMC's
/// address, port and user, the password sealed by the server's data protection (<see cref="SealedPassword"/>, never
/// plaintext, never returned by the API), the MAC for Wake-on-LAN and the methods to try next when the first fails.</summary>
public sealed class PowerBindingRecord
{
    public HostId HostId { get; set; }
    public PowerMethod Method { get; set; }

    /// <summary>IPMI: the BMC's IP address or name. Redfish: its name/IP or an https:// URL. Wake-on-LAN: the broadcast
    /// address the magic packet goes to.</summary>
    public string? Address { get; set; }
    public int? Port { get; set; }
    public string? User { get; set; }

    /// <summary>The BMC password as the server's data protector sealed it; null when the method needs none.</summary>
    public string? SealedPassword { get; set; }

    /// <summary>aa:bb:cc:dd:ee:ff, for Wake-on-LAN (as the method or a fallback).</summary>
    public string? Mac { get; set; }

    /// <summary>Methods tried in this order after <see cref="Method"/> fails, comma-separated API names ("wol,agent").</summary>
    public string Fallback { get; set; } = "";

    /// <summary>Redfish: the SHA-256 fingerprint (64 upper-case hex digits) the BMC's certificate must have, for
    /// self-signed BMC certificates; null when the certificate is checked against CAs.</summary>
    public string? TlsPinSha256 { get; set; }

    /// <summary>Redfish: the CA certificate (PEM) the BMC's certificate must chain to instead of the system's CAs.</summary>
    public string? CaCertificatePem { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    public long Version { get; set; }
}
