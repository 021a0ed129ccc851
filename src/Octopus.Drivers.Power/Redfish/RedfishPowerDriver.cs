using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Drivers.Power.Redfish;

/// <summary>Switches a host through its BMC's Redfish service over HTTPS with basic auth: <c>PowerState</c> of the
/// ComputerSystem, <c>ComputerSystem.Reset</c> (On, GracefulShutdown, ForceOff), and the chassis'
/// <c>Power.PowerControl[0].PowerConsumedWatts</c>. The certificate is trusted by the system CAs, a configured CA or
/// a pinned fingerprint.</summary>
public sealed class RedfishPowerDriver : IHostPowerControl, IDisposable
{
    private readonly RedfishTarget target;
    private readonly HttpClient http;
    private readonly TimeSpan timeout;
    private readonly X509Certificate2? ca;
    private readonly string? pin;
    private string? certificateProblem;
    private string? systemPath;

    public RedfishPowerDriver(RedfishTarget target, RedfishOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var problems = target.Problems();
        if (problems.Count > 0) throw new ArgumentException("Redfish target: " + string.Join(" ", problems), nameof(target));
        this.target = target;
        timeout = (options ?? new RedfishOptions()).RequestTimeout;
        ca = target.CaCertificatePem is null ? null : X509Certificate2.CreateFromPem(target.CaCertificatePem);
        pin = target.PinnedSha256 is null ? null : RedfishTarget.NormalizeFingerprint(target.PinnedSha256);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateCertificate },
        };
        http = new HttpClient(handler) { BaseAddress = target.Endpoint, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{target.User}:{target.Password}")));
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public PowerMethod Method => PowerMethod.Redfish;

    /// <summary>On and PoweringOff read as On (still drawing power); Off and PoweringOn as Off.</summary>
    public async Task<PowerStatus> GetStatusAsync(CancellationToken ct)
    {
        var system = await GetSystemAsync(ct).ConfigureAwait(false);
        return ParsePowerState(system);
    }

    public async Task PowerOnAsync(CancellationToken ct)
    {
        var system = await GetSystemAsync(ct).ConfigureAwait(false);
        if (ParsePowerState(system) == PowerStatus.On) return; // many BMCs answer 409 to On when on
        await ResetAsync(system, "On", ct).ConfigureAwait(false);
    }

    public async Task PowerOffAsync(PowerOffMode mode, CancellationToken ct)
    {
        var system = await GetSystemAsync(ct).ConfigureAwait(false);
        if (ParsePowerState(system) == PowerStatus.Off) return;
        await ResetAsync(system, mode == PowerOffMode.Graceful ? "GracefulShutdown" : "ForceOff", ct).ConfigureAwait(false);
    }

    public async Task<Watts?> ReadPowerAsync(CancellationToken ct)
    {
        var system = await GetSystemAsync(ct).ConfigureAwait(false);
        var chassis = system["Links"]?["Chassis"]?.AsArray().FirstOrDefault()?["@odata.id"]?.GetValue<string>();
        if (chassis is null) return null;
        var chassisDoc = await GetJsonAsync(chassis, ct).ConfigureAwait(false);
        var power = chassisDoc["Power"]?["@odata.id"]?.GetValue<string>();
        if (power is null) return null;
        var powerDoc = await GetJsonAsync(power, ct).ConfigureAwait(false);
        var watts = powerDoc["PowerControl"]?.AsArray().FirstOrDefault()?["PowerConsumedWatts"];
        return watts is JsonValue v && v.TryGetValue<double>(out var w) ? new Watts(w) : null;
    }

    public void Dispose()
    {
        http.Dispose();
        ca?.Dispose();
    }

    private PowerStatus ParsePowerState(JsonNode system) => system["PowerState"]?.GetValue<string>() switch
    {
        "On" or "PoweringOff" => PowerStatus.On,
        "Off" or "PoweringOn" => PowerStatus.Off,
        var other => throw new PowerControlException(PowerFault.BadResponse,
            $"the Redfish service at {target.Endpoint} reported PowerState '{other ?? "(none)"}' for {systemPath}; expected On or Off."),
    };

    private async Task ResetAsync(JsonNode system, string resetType, CancellationToken ct)
    {
        var action = system["Actions"]?["#ComputerSystem.Reset"];
        var allowed = action?["ResetType@Redfish.AllowableValues"]?.AsArray().Select(n => n?.GetValue<string>()).ToList();
        if (allowed is not null && !allowed.Contains(resetType))
            throw new PowerControlException(PowerFault.Unsupported,
                $"the Redfish service at {target.Endpoint} does not offer reset type {resetType} for {systemPath} (it offers {string.Join(", ", allowed)}).");
        var uri = action?["target"]?.GetValue<string>() ?? systemPath + "/Actions/ComputerSystem.Reset";
        var body = new JsonObject { ["ResetType"] = resetType }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, uri, content, ct).ConfigureAwait(false);
    }

    private async Task<JsonNode> GetSystemAsync(CancellationToken ct)
    {
        systemPath ??= target.SystemId is { } id ? $"/redfish/v1/Systems/{Uri.EscapeDataString(id)}" : await FindOnlySystemAsync(ct).ConfigureAwait(false);
        return await GetJsonAsync(systemPath, ct).ConfigureAwait(false);
    }

    private async Task<string> FindOnlySystemAsync(CancellationToken ct)
    {
        var members = (await GetJsonAsync("/redfish/v1/Systems", ct).ConfigureAwait(false))["Members"]?.AsArray()
            .Select(m => m?["@odata.id"]?.GetValue<string>()).OfType<string>().ToList() ?? [];
        return members.Count switch
        {
            1 => members[0],
            0 => throw new PowerControlException(PowerFault.BadResponse, $"the Redfish service at {target.Endpoint} lists no ComputerSystem under /redfish/v1/Systems."),
            _ => throw new PowerControlException(PowerFault.Refused,
                $"the Redfish service at {target.Endpoint} manages {members.Count} systems ({string.Join(", ", members)}); configure which one this host is (system id)."),
        };
    }

    private async Task<JsonNode> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) ?? throw new JsonException("null document");
        }
        catch (JsonException)
        {
            throw new PowerControlException(PowerFault.BadResponse, $"the Redfish service at {target.Endpoint} answered GET {path} with something that is not JSON.");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.RelativeOrAbsolute)) { Content = content };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new PowerControlException(PowerFault.Timeout,
                $"the Redfish service at {target.Endpoint} did not answer {method} {path} within {timeout.TotalSeconds:0.#} s; check that the BMC is up and not overloaded.");
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException || certificateProblem is not null)
        {
            throw new PowerControlException(PowerFault.CertificateRejected,
                $"the Redfish service at {target.Endpoint} presented a certificate that is not trusted: {certificateProblem ?? e.InnerException?.Message}. Configure the BMC's CA certificate or pin its SHA-256 fingerprint.", e);
        }
        catch (HttpRequestException e)
        {
            throw new PowerControlException(PowerFault.Unreachable,
                $"no Redfish service answered at {target.Endpoint} ({(e.InnerException as SocketException)?.SocketErrorCode.ToString() ?? e.HttpRequestError.ToString()}); check the address and port and that the BMC's web service is enabled.", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var detail = await ErrorMessageAsync(response, ct).ConfigureAwait(false);
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new PowerControlException(PowerFault.WrongCredentials,
                    $"the Redfish service at {target.Endpoint} rejected user '{target.User}' or its password; check the power configuration's user and password."),
                HttpStatusCode.Forbidden => new PowerControlException(PowerFault.Refused,
                    $"user '{target.User}' may not {method} {path} on the Redfish service at {target.Endpoint}{detail}; give it a role that can reset the system."),
                HttpStatusCode.NotFound => new PowerControlException(PowerFault.Refused,
                    $"the Redfish service at {target.Endpoint} has no {path}{detail}; check the system id."),
                _ => new PowerControlException(PowerFault.Refused,
                    $"the Redfish service at {target.Endpoint} refused {method} {path} with {(int)response.StatusCode} {response.ReasonPhrase}{detail}."),
            };
        }
    }

    /// <summary>": message" from a Redfish error body (<c>error.@Message.ExtendedInfo[0].Message</c> or <c>error.message</c>).</summary>
    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            var error = body?["error"];
            var message = error?["@Message.ExtendedInfo"]?.AsArray().FirstOrDefault()?["Message"]?.GetValue<string>()
                ?? error?["message"]?.GetValue<string>();
            return message is null ? "" : ": " + message;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "";
        }
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        certificateProblem = null;
        if (certificate is null)
        {
            certificateProblem = "no certificate";
            return false;
        }
        if (pin is not null)
        {
            var actual = Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
            if (actual == pin) return true;
            certificateProblem = $"its SHA-256 fingerprint {actual} is not the pinned {pin}";
            return false;
        }
        if (ca is not null)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                certificateProblem = $"it is not issued for {target.Endpoint.Host}";
                return false;
            }
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(ca);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            if (custom.Build(leaf)) return true;
            certificateProblem = "it does not chain to the configured CA (" + string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim())) + ")";
            return false;
        }
        if (errors == SslPolicyErrors.None) return true;
        certificateProblem = errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            ? $"it is not issued for {target.Endpoint.Host}"
            : "it does not chain to a CA this machine trusts";
        return false;
    }
}
