using System.Security.Cryptography.X509Certificates;

namespace Octopus.Drivers.Power.Redfish;

/// <summary>One host's Redfish service: its HTTPS endpoint (scheme, BMC address, port), the account used with basic
/// auth, which ComputerSystem to switch (null: the service's only one), and how its TLS certificate is trusted.</summary>
public sealed record RedfishTarget(Uri Endpoint, string User, string Password)
{
    /// <summary>The ComputerSystem's id under /redfish/v1/Systems/; null when the service has exactly one.</summary>
    public string? SystemId { get; init; }

    /// <summary>A CA certificate (PEM) the BMC's certificate must chain to, instead of the system's CAs.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>The SHA-256 fingerprint (hex, colons allowed) the BMC's certificate must have: for BMCs with
    /// self-signed certificates. Pinning replaces chain and name checks.</summary>
    public string? PinnedSha256 { get; init; }

    /// <summary>What is wrong with this target, one sentence per problem (empty when usable).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Endpoint is null || !Endpoint.IsAbsoluteUri) problems.Add("the Redfish endpoint must be an absolute https:// URL.");
        else if (Endpoint.Scheme != Uri.UriSchemeHttps)
            problems.Add($"the Redfish endpoint {Endpoint} is not https://; basic auth over plain HTTP would expose the password.");
        if (string.IsNullOrEmpty(User)) problems.Add("the Redfish user is empty; give the BMC account's user name.");
        if (SystemId is not null && (SystemId.Length == 0 || SystemId.Contains('/', StringComparison.Ordinal) || SystemId.Contains("..", StringComparison.Ordinal)))
            problems.Add($"'{SystemId}' is not a ComputerSystem id; give the last segment of /redfish/v1/Systems/<id>.");
        if (CaCertificatePem is not null && PinnedSha256 is not null)
            problems.Add("give either a CA certificate or a pinned fingerprint, not both.");
        if (CaCertificatePem is not null)
        {
            try { using var _ = X509Certificate2.CreateFromPem(CaCertificatePem); }
            catch (System.Security.Cryptography.CryptographicException) { problems.Add("the CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)."); }
        }
        if (PinnedSha256 is not null && NormalizeFingerprint(PinnedSha256) is null)
            problems.Add($"'{PinnedSha256}' is not a SHA-256 fingerprint; give 64 hex digits (colons allowed), e.g. from `openssl x509 -noout -fingerprint -sha256`.");
        return problems;
    }

    /// <summary>64 upper-case hex digits, or null when <paramref name="fingerprint"/> is not a SHA-256 fingerprint.</summary>
    public static string? NormalizeFingerprint(string fingerprint)
    {
        var hex = fingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }

    /// <summary>Never shows the password.</summary>
    public override string ToString() => $"{User}@{Endpoint}";
}

/// <summary>How Redfish calls are made. <see cref="RequestTimeout"/>: 1 s - 5 min.</summary>
public sealed record RedfishOptions
{
    /// <summary>How long one HTTP request may take before the call fails with <see cref="PowerFault.Timeout"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
