using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

namespace Octopus.Server.Consoles;

/// <summary><c>POST /api/v1/vms/{id}/console/ticket[?kind=serial]</c> (a short-lived ticket for the caller's console of that VM) and
/// <c>GET /api/v1/vms/{id}/console/serial?ticket=…</c> (the serial console's WebSocket, authorised by the ticket alone, so a
/// browser, which cannot send headers on a WebSocket, needs nothing else). Handlers only translate HTTP.</summary>
public static class ConsoleEndpoints
{
    /// <summary>Pings an idle console so proxies and NATs keep it open.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddOctopusConsoles(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleTickets>();
        services.AddScoped<ConsoleCommands>();
        services.AddScoped<SerialConsoleBridge>();
        return services;
    }

    public static void MapOctopusConsoles(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.Vms + "/{id}/console/ticket", (HttpContext http, string id, string? kind, ConsoleCommands commands,
                CancellationToken ct) => commands.IssueTicketAsync(Caller.From(http.User), id, kind, ct))
            .RequireAuthorization().WithTags("vms");
        app.MapGet(ApiRoutes.Vms + "/{id}/console/serial", (HttpContext http, string id, string? ticket, SerialConsoleBridge bridge,
                CancellationToken ct) => bridge.RunAsync(http, id, ticket, ct))
            .AllowAnonymous().WithTags("vms")
            .WithSummary("The VM's serial console as a WebSocket; connect to the url a console ticket gives.");
    }
}
