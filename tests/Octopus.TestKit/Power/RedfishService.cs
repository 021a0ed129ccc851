using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Octopus.TestKit.Power;

/// <summary>A protocol-peer fake: a small Redfish service (DMTF schema subset: Systems collection, one ComputerSystem
/// with PowerState and the ComputerSystem.Reset action, its Chassis with Power.PowerControl) over HTTPS with basic
/// auth, written for these tests because no Redfish simulator is packaged for Debian. Kestrel on 127.0.0.1, a free
/// port, with a certificate issued by a CA the test makes.</summary>
public sealed class RedfishService : IAsyncDisposable
{
    public const string User = "root";
    public const string Password = "calvin-2026";

    private readonly WebApplication app;

    private RedfishService(WebApplication app, X509Certificate2 ca, X509Certificate2 leaf)
    {
        this.app = app;
        Ca = ca;
        Leaf = leaf;
    }

    public X509Certificate2 Ca { get; }
    public X509Certificate2 Leaf { get; }
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>PowerState as the service reports it (On, Off, PoweringOff …).</summary>
    public string PowerState { get; set; } = "Off";

    /// <summary>The reset types the service offers.</summary>
    public List<string> AllowedResets { get; } = ["On", "ForceOff", "GracefulShutdown"];

    /// <summary>Every ResetType received, in order.</summary>
    public List<string> Resets { get; } = [];

    /// <summary>How long each answer is held back (to exercise timeouts).</summary>
    public TimeSpan Delay { get; set; }

    public double Watts { get; set; } = 182;

    public static async Task<RedfishService> StartAsync()
    {
        var (ca, leaf) = MakeCertificates();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(leaf);
        }));
        var app = builder.Build();
        var service = new RedfishService(app, ca, leaf);
        service.Map(app);
        await app.StartAsync();
        // app.Urls holds the bound address (https://127.0.0.1:port) once started.
        service.Endpoint = new Uri(app.Urls.First());
        return service;
    }

    private void Map(WebApplication web)
    {
        web.Use(async (ctx, next) =>
        {
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ctx.RequestAborted);
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
            if (ctx.Request.Headers.Authorization != expected)
            {
                ctx.Response.StatusCode = 401;
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Redfish\"";
                await Error(ctx, "Base.1.8.AccessDenied", "While attempting to establish a connection to the service, authentication was denied.");
                return;
            }
            await next(ctx);
        });
        web.MapGet("/redfish/v1/Systems", () => Results.Json(new JsonObject
        {
            ["@odata.id"] = "/redfish/v1/Systems",
            ["Members"] = new JsonArray(new JsonObject { ["@odata.id"] = "/redfish/v1/Systems/1" }),
            ["Members@odata.count"] = 1,
        }));
        web.MapGet("/redfish/v1/Systems/1", () =>
        {
            var state = PowerState;
            if (PowerState == "PoweringOff") PowerState = "Off"; // the OS finishes shutting down between two reads
            return Results.Json(new JsonObject
            {
                ["@odata.id"] = "/redfish/v1/Systems/1",
                ["Id"] = "1",
                [nameof(PowerState)] = state,
                ["Actions"] = new JsonObject
                {
                    ["#ComputerSystem.Reset"] = new JsonObject
                    {
                        ["target"] = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                        ["ResetType@Redfish.AllowableValues"] = new JsonArray([.. AllowedResets.Select(r => JsonValue.Create(r))]),
                    },
                },
                ["Links"] = new JsonObject { ["Chassis"] = new JsonArray(new JsonObject { ["@odata.id"] = "/redfish/v1/Chassis/1" }) },
            });
        });
        web.MapPost("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", async (HttpContext ctx) =>
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body);
            var type = body?["ResetType"]?.GetValue<string>() ?? "";
            Resets.Add(type);
            switch (type)
            {
                case "On" when PowerState == "Off": PowerState = "On"; break;
                case "ForceOff" when PowerState != "Off": PowerState = "Off"; break;
                case "GracefulShutdown" when PowerState == "On": PowerState = "PoweringOff"; break;
                case "On" or "ForceOff" or "GracefulShutdown":
                    ctx.Response.StatusCode = 409;
                    await Error(ctx, "Base.1.8.ActionNotSupported", $"The system is {PowerState}; {type} is not possible now.");
                    return;
                default:
                    ctx.Response.StatusCode = 400;
                    await Error(ctx, "Base.1.8.ActionParameterValueNotInList", $"The value '{type}' for the parameter ResetType is not in the list of acceptable values.");
                    return;
            }
            ctx.Response.StatusCode = 204;
        });
        web.MapGet("/redfish/v1/Chassis/1", () => Results.Json(new JsonObject
        {
            ["@odata.id"] = "/redfish/v1/Chassis/1",
            ["Power"] = new JsonObject { ["@odata.id"] = "/redfish/v1/Chassis/1/Power" },
        }));
        web.MapGet("/redfish/v1/Chassis/1/Power", () => Results.Json(new JsonObject
        {
            ["PowerControl"] = new JsonArray(new JsonObject { ["PowerConsumedWatts"] = PowerState == "Off" ? 0 : Watts }),
        }));
    }

    private static Task Error(HttpContext ctx, string id, string message) =>
        ctx.Response.WriteAsJsonAsync(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = id,
                ["message"] = "A general error has occurred. See ExtendedInfo for more information.",
                ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject { ["MessageId"] = id, ["Message"] = message }),
            },
        });

    /// <summary>A CA and a leaf for 127.0.0.1/localhost signed by it.</summary>
    private static (X509Certificate2 Ca, X509Certificate2 Leaf) MakeCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Octopus test BMC CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=bmc.test", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        using var withKey = signed.CopyWithPrivateKey(leafKey);
        // Kestrel wants a certificate whose key it can use; a PKCS#12 round trip gives it a persisted one.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca, leaf);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Ca.Dispose();
        Leaf.Dispose();
    }
}
