using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Drivers.Power.Ipmi;
using Octopus.Drivers.Power.Redfish;
using Octopus.Drivers.Power.WakeOnLan;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Power;

/// <summary><c>PUT /api/v1/hosts/{id}/power-config</c>: validates a host's power configuration (each method checks
/// what it needs), seals the password and writes the host's <see cref="PowerBindingRecord"/>, audited as
/// <c>host.power-config</c> (method, address and fallback; never the password). Admins only.</summary>
public sealed class PowerConfigCommands(OctopusDbContext db, CommandRunner runner, IPowerSecrets secrets, TimeProvider time)
{
    public const string DefaultBroadcast = "255.255.255.255";

    public Task<PowerBindingRecord> SetAsync(Caller caller, string idOrName, HostPowerConfigRequest? body, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.HostPowerConfig, $"host/{idOrName}", async ct =>
        {
            if (body is null)
                throw DomainException.Invalid("body", "Send {\"method\": \"ipmi\", \"address\": \"10.0.0.5\", \"user\": \"admin\", \"password\": \"…\"} (or redfish, wol, agent, simulated).");
            var host = await HostCommands.FindAsync(db, idOrName, ct);
            var record = await db.PowerBindings.FirstOrDefaultAsync(p => p.HostId == host.Id, ct);
            var isNew = record is null;
            record ??= new PowerBindingRecord { HostId = host.Id };
            Apply(body, record);
            record.UpdatedAt = time.GetUtcNow();
            record.Version++;
            if (isNew) db.PowerBindings.Add(record);
            return record;
        }, ct, Describe);

    /// <summary>The configuration as the API shows it: never the password.</summary>
    public static HostPowerConfigDto ToDto(PowerBindingRecord r) => new(PowerMethodNames.Name(r.Method), r.Address, r.Port, r.User,
        r.SealedPassword is not null, r.Mac, SplitFallback(r.Fallback).Select(PowerMethodNames.Name).ToList(),
        r.TlsPinSha256 is null ? null : FormatFingerprint(r.TlsPinSha256), CaSubject(r.CaCertificatePem));

    /// <summary>AB:CD:… as openssl prints it.</summary>
    public static string FormatFingerprint(string hex) => string.Join(':', hex.Chunk(2).Select(c => new string(c)));

    private static string? CaSubject(string? pem)
    {
        if (pem is null) return null;
        try
        {
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
            return cert.Subject;
        }
        catch (System.Security.Cryptography.CryptographicException) { return "(unreadable certificate)"; }
    }

    /// <summary>Largest CA certificate accepted (a PEM certificate is 1-3 KiB; a chain a few times that).</summary>
    public const int MaxCaCertificateChars = 16 * 1024;

    public static IReadOnlyList<PowerMethod> SplitFallback(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(f => PowerMethodNames.Parse(f, "fallback"))];

    private static string Describe(PowerBindingRecord r)
    {
        var fallback = r.Fallback.Length == 0 ? "" : $", then {r.Fallback}";
        var tls = r.TlsPinSha256 is not null ? ", certificate pinned" : r.CaCertificatePem is not null ? ", own CA" : "";
        return $"{PowerMethodNames.Name(r.Method)}{(r.Address is null ? "" : " at " + r.Address)}{(r.Port is null ? "" : ":" + r.Port)}{tls}{fallback}";
    }

    /// <summary>Checks <paramref name="body"/> as a whole and writes it onto <paramref name="record"/>; nothing is written
    /// when any field is wrong (400 naming the field).</summary>
    private void Apply(HostPowerConfigRequest body, PowerBindingRecord record)
    {
        var method = PowerMethodNames.Parse(body.Method, "method");
        var fallback = new List<PowerMethod>();
        foreach (var f in body.Fallback ?? [])
        {
            var m = PowerMethodNames.Parse(f, "fallback");
            if (m == method) throw DomainException.Invalid("fallback", $"fallback repeats the method {PowerMethodNames.Name(m)}; list only the methods to try after it.");
            if (m == PowerMethod.Simulated) throw DomainException.Invalid("fallback", "simulated cannot be a fallback; it switches only simulated hosts.");
            if (fallback.Contains(m)) throw DomainException.Invalid("fallback", $"fallback names {PowerMethodNames.Name(m)} twice.");
            fallback.Add(m);
        }
        var uses = fallback.Prepend(method).ToHashSet();
        if (body.Port is { } port && (port < 1 || port > 65535))
            throw DomainException.Invalid("port", $"port {port} is out of range (1-65535).");

        string? mac = null;
        if (!string.IsNullOrWhiteSpace(body.Mac))
        {
            var parsed = WakeOnLanTarget.TryParseMac(body.Mac.Trim(), out var problem) ?? throw DomainException.Invalid("mac", problem!);
            mac = WakeOnLanTarget.Format(parsed);
        }
        if (uses.Contains(PowerMethod.WakeOnLan) && mac is null)
            throw DomainException.Invalid("mac", "Wake-on-LAN needs the host's MAC address; give mac as aa:bb:cc:dd:ee:ff.");

        var address = string.IsNullOrWhiteSpace(body.Address) ? null : body.Address.Trim();
        var user = string.IsNullOrEmpty(body.User) ? null : body.User;
        var bmc = uses.Contains(PowerMethod.Ipmi) || uses.Contains(PowerMethod.Redfish);
        var (pin, ca) = Tls(body, record, uses.Contains(PowerMethod.Redfish));
        string? sealedPassword = null;
        if (bmc)
        {
            if (address is null) throw DomainException.Invalid("address", "a BMC method (ipmi, redfish) needs the BMC's address; give address.");
            if (user is null) throw DomainException.Invalid("user", "a BMC method (ipmi, redfish) needs the BMC account's user; give user.");
            // A missing password keeps the stored one, so an address can change without typing it again.
            var keep = body.Password is null && record.SealedPassword is not null;
            var password = body.Password ?? (keep ? secrets.Open(record.SealedPassword!) : null)
                ?? throw DomainException.Invalid("password", "a BMC method (ipmi, redfish) needs the BMC password; give password (CLI: --password-stdin).");
            if (uses.Contains(PowerMethod.Ipmi))
                Check(new IpmiTarget(address, user, password, method == PowerMethod.Ipmi ? body.Port ?? IpmiTarget.DefaultPort : IpmiTarget.DefaultPort).Problems());
            if (uses.Contains(PowerMethod.Redfish))
                Check(RedfishEndpoint(address, method == PowerMethod.Redfish ? body.Port : null) is { } endpoint
                    ? new RedfishTarget(endpoint, user, password) { PinnedSha256 = pin, CaCertificatePem = ca }.Problems()
                    : [$"'{address}' is not a BMC address or https:// URL."]);
            sealedPassword = keep ? record.SealedPassword : secrets.Seal(password);
        }
        else
        {
            if (body.Password is not null) throw DomainException.Invalid("password", $"{PowerMethodNames.Name(method)} uses no BMC password; leave password out.");
            if (method == PowerMethod.WakeOnLan)
            {
                address ??= DefaultBroadcast;
                if (!IPAddress.TryParse(address, out var broadcast) || broadcast.AddressFamily != AddressFamily.InterNetwork)
                    throw DomainException.Invalid("address", $"'{address}' is not an IPv4 broadcast address; give the host network's broadcast (e.g. 10.0.0.255) or leave address out for {DefaultBroadcast}.");
            }
            else if (address is not null)
                throw DomainException.Invalid("address", $"{PowerMethodNames.Name(method)} needs no address; leave address out.");
        }

        record.Method = method;
        record.Address = address;
        record.Port = body.Port;
        record.User = bmc ? user : null;
        record.SealedPassword = sealedPassword;
        record.Mac = mac;
        record.Fallback = string.Join(',', fallback.Select(PowerMethodNames.Name));
        record.TlsPinSha256 = pin;
        record.CaCertificatePem = ca;
    }

    /// <summary>Redfish's certificate trust after this request: a given value replaces the stored one, "" clears it,
    /// null keeps it (only while Redfish is still used). Either a pin or a CA, never both; neither for other methods.</summary>
    private static (string? Pin, string? Ca) Tls(HostPowerConfigRequest body, PowerBindingRecord record, bool redfish)
    {
        if (!redfish)
        {
            if (!string.IsNullOrEmpty(body.TlsFingerprint))
                throw DomainException.Invalid("tlsFingerprint", "tlsFingerprint pins a Redfish BMC's certificate; this configuration uses no Redfish. Leave it out.");
            if (!string.IsNullOrEmpty(body.CaCertificate))
                throw DomainException.Invalid("caCertificate", "caCertificate checks a Redfish BMC's certificate; this configuration uses no Redfish. Leave it out.");
            return (null, null);
        }
        string? pin;
        if (body.TlsFingerprint is null) pin = record.TlsPinSha256;
        else if (body.TlsFingerprint.Trim().Length == 0) pin = null;
        else pin = RedfishTarget.NormalizeFingerprint(body.TlsFingerprint) ?? throw DomainException.Invalid("tlsFingerprint",
            $"'{Shorten(body.TlsFingerprint)}' is not a SHA-256 fingerprint; give 64 hex digits (colons allowed), e.g. from `openssl s_client -connect BMC:443 </dev/null | openssl x509 -noout -fingerprint -sha256`.");
        string? ca;
        if (body.CaCertificate is null) ca = record.CaCertificatePem;
        else if (body.CaCertificate.Trim().Length == 0) ca = null;
        else
        {
            if (body.CaCertificate.Length > MaxCaCertificateChars)
                throw DomainException.Invalid("caCertificate", $"the CA certificate is {body.CaCertificate.Length} characters; give one PEM certificate (at most {MaxCaCertificateChars}).");
            ca = body.CaCertificate.Trim() + "\n";
            try { using var _ = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(ca); }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw DomainException.Invalid("caCertificate", "caCertificate is not a PEM certificate; give the CA's certificate as -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----.");
            }
        }
        // A new value of one replaces a stored value of the other: switching from a pin to a CA needs no explicit clear.
        if (body.TlsFingerprint is { Length: > 0 } && body.CaCertificate is null) ca = null;
        if (body.CaCertificate is { Length: > 0 } && body.TlsFingerprint is null) pin = null;
        if (pin is not null && ca is not null)
            throw DomainException.Invalid("tlsFingerprint", "give either tlsFingerprint (a pinned self-signed certificate) or caCertificate (the CA it chains to), not both.");
        return (pin, ca);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    /// <summary>https://address[:port] for a bare address; the URL itself when one is given.</summary>
    public static Uri? RedfishEndpoint(string address, int? port)
    {
        if (address.Contains("://", StringComparison.Ordinal))
            return Uri.TryCreate(address, UriKind.Absolute, out var u) ? u : null;
        var host = address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[') ? $"[{address}]" : address;
        return Uri.TryCreate($"https://{host}{(port is { } p ? ":" + p : "")}", UriKind.Absolute, out var uri) ? uri : null;
    }

    private static void Check(IReadOnlyList<string> problems)
    {
        if (problems.Count == 0) return;
        var first = problems[0];
        var field = first.Contains("endpoint", StringComparison.OrdinalIgnoreCase) || first.Contains("address", StringComparison.OrdinalIgnoreCase) ? "address"
            : first.Contains("password", StringComparison.OrdinalIgnoreCase) ? "password"
            : first.Contains("user", StringComparison.OrdinalIgnoreCase) ? "user"
            : first.Contains("port", StringComparison.OrdinalIgnoreCase) ? "port"
            : "address";
        throw DomainException.Invalid(field, string.Join(" ", problems));
    }
}
