using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

namespace Octopus.Server.Consoles;

/// <summary><c>POST /api/v1/vms/{id}/console/ticket[?kind=serial|vnc]</c> (a short-lived ticket for the caller's console of
/// that VM), <c>GET /api/v1/vms/{id}/console/serial?ticket=…</c> (the serial console's WebSocket) and
/// <c>GET /api/v1/vms/{id}/console/vnc?ticket=…</c> (the screen's, RFB), each authorised by the ticket alone, so a browser,
/// which cannot send headers on a WebSocket, needs nothing else. Handlers only translate HTTP.</summary>
public static class ConsoleEndpoints
{
    /// <summary>Pings an idle console so proxies and NATs keep it open.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddOctopusConsoles(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleTickets>();
        services.AddScoped<ConsoleCommands>();
        services.AddScoped<ConsoleBridge>();
        return services;
    }

    public static void MapOctopusConsoles(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.Vms + "/{id}/console/ticket", (HttpContext http, string id, string? kind, ConsoleCommands commands,
                CancellationToken ct) => commands.IssueTicketAsync(Caller.From(http.User), id, kind, ct))
            .RequireAuthorization().WithTags("vms");
        app.MapGet(ApiRoutes.Vms + "/{id}/console/serial", (HttpContext http, string id, string? ticket, ConsoleBridge bridge,
                CancellationToken ct) => bridge.RunAsync(http, id, ticket, ConsoleTickets.Serial, ct))
            .AllowAnonymous().WithTags("vms")
            .WithSummary("The VM's serial console as a WebSocket; connect to the url a console ticket gives.");
        app.MapGet(ApiRoutes.Vms + "/{id}/console/vnc", (HttpContext http, string id, string? ticket, ConsoleBridge bridge,
                CancellationToken ct) => bridge.RunAsync(http, id, ticket, ConsoleTickets.Vnc, ct))
            .AllowAnonymous().WithTags("vms")
            .WithSummary("The VM's screen as a WebSocket speaking RFB (VNC, for noVNC); connect to the url a kind=vnc console ticket gives.");
    }
}
