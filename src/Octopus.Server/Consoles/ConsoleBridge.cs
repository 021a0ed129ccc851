using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Server.Consoles;

/// <summary>The WebSocket of a console (<c>GET /api/v1/vms/{id}/console/serial?ticket=…</c>, the serial port, and
/// <c>…/console/vnc?ticket=…</c>, the screen as RFB for noVNC): checks the ticket, opens that console through the VM's node
/// (<see cref="ISerialConsoleDriver"/>, <see cref="IGraphicalConsoleDriver"/>; on an agent host the agent's own console
/// WebSocket, authorised by a ticket signed for this VM and caller) and pipes bytes both ways until either side ends. Every refusal accepts the socket and closes it at once with a 44xx code and a reason, because a
/// browser's WebSocket sees nothing of an HTTP error but a close code and reason reach the page. The open is audited
/// (<c>vm.console</c>), and so is a refusal of a ticket that names its caller.</summary>
public sealed partial class ConsoleBridge(ConsoleTickets tickets, VmLookup lookup, INodeDriverResolver nodes, CommandRunner audit,
    ILogger<ConsoleBridge> log)
{
    private const int BufferBytes = 4096;

    /// <summary>Longest close reason a WebSocket frame carries (125-byte control payload less the 2-byte code).</summary>
    private const int MaxReasonBytes = 123;

    public async Task RunAsync(HttpContext http, string idOrName, string? ticket, string kind, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            throw new DomainException(ErrorKind.Validation, "console.websocket-required",
                "This is a WebSocket endpoint: connect with a WebSocket to the url of POST .../console/ticket's answer.");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        ConsoleTicket? grant = null;
        Stream guest;
        Vm vm;
        try
        {
            grant = tickets.Open(ticket, kind);
            (vm, guest) = await OpenAsync(http, idOrName, grant, ct);
        }
        catch (ConsoleRefusedException refused)
        {
            LogRefused(log, idOrName, refused.Code, refused.Message);
            if (grant is not null) await audit.RecordAsync(grant.Caller, Permissions.VmConsole, $"vm/{idOrName}", false, refused.Message, CancellationToken.None);
            await CloseAsync(socket, (WebSocketCloseStatus)refused.CloseStatus, refused.Message);
            return;
        }
        var what = kind == ConsoleTickets.Vnc ? "screen" : "serial console";
        await audit.RecordAsync(grant.Caller, Permissions.VmConsole, $"vm/{vm.Name}", true, $"{what} opened", CancellationToken.None);
        LogOpened(log, what, vm.Name.Value, grant.Caller.Name);
        await using (guest) await PumpAsync(socket, guest, what, ct);
        LogClosed(log, what, vm.Name.Value, grant.Caller.Name);
    }

    private async Task<(Vm, Stream)> OpenAsync(HttpContext http, string idOrName, ConsoleTicket grant, CancellationToken ct)
    {
        // A page of another origin cannot get a ticket (it needs the CSRF token), but refuse its connection outright too.
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var o) ||
            !string.Equals(o.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
            throw new ConsoleRefusedException(4403, "console.cross-origin", "A console may be opened only from this server's own pages.");
        // A browser also sends its session cookie: the ticket must be that user's. A program may connect with the ticket alone.
        if (http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } signedIn && signedIn != grant.Caller.Id.ToString())
            throw new ConsoleRefusedException(4403, "console.ticket-mismatch", "This console ticket was issued to another user.");
        if (VmId.TryParse(idOrName, out var routeVm) && routeVm != grant.Vm)
            throw new ConsoleRefusedException(4403, "console.ticket-mismatch", "This console ticket opens another VM's console.");

        Vm vm;
        try { vm = await lookup.FindAsync(grant.Caller, idOrName, ct, track: false); }
        catch (DomainException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw new ConsoleRefusedException(4404, "not-found", $"VM '{idOrName}' was not found (deleted, or no longer yours).");
        }
        if (vm.Id != grant.Vm) throw new ConsoleRefusedException(4403, "console.ticket-mismatch", "This console ticket opens another VM's console.");
        try
        {
            var stream = grant.Kind == ConsoleTickets.Vnc
                ? await ConsoleCommands.EnsureGraphicalConsole(vm, nodes).OpenGraphicalAsync(vm.Id, grant.Caller.Name, ct)
                : await ConsoleCommands.EnsureSerialConsole(vm, nodes).OpenSerialAsync(vm.Id, grant.Caller.Name, ct);
            return (vm, stream);
        }
        catch (DomainException e)
        {
            throw new ConsoleRefusedException(4409, e.Code, e.Message);
        }
        catch (DriverException e)
        {
            throw new ConsoleRefusedException(4409, "console.unavailable",
                $"VM '{vm.Name}''s node refused its {(grant.Kind == ConsoleTickets.Vnc ? "screen" : "serial console")}: {e.Message}");
        }
    }

    /// <summary>Copies guest output to the socket and socket input to the guest until one side ends, then closes the socket
    /// with a reason (the guest's side ended: its VM stopped or moved; or the browser closed) and stops the other copy.</summary>
    private async Task PumpAsync(WebSocket socket, Stream serial, string what, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fromGuest = Task.Run(async () =>
        {
            var buffer = new byte[BufferBytes];
            int n;
            while ((n = await serial.ReadAsync(buffer, stop.Token)) > 0)
                await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
        }, CancellationToken.None);
        var toGuest = Task.Run(async () =>
        {
            var buffer = new byte[BufferBytes];
            while (true)
            {
                var got = await socket.ReceiveAsync(buffer.AsMemory(), stop.Token);
                if (got.MessageType == WebSocketMessageType.Close) return;
                if (got.Count > 0) await serial.WriteAsync(buffer.AsMemory(0, got.Count), stop.Token);
            }
        }, CancellationToken.None);

        var first = await Task.WhenAny(fromGuest, toGuest);
        if (first.Exception?.GetBaseException() is { } failure and not OperationCanceledException) LogPumpStopped(log, failure.Message);
        if (first == fromGuest && fromGuest.IsCompletedSuccessfully)
        {
            // Say why before anything is cancelled (cancelling a receive aborts the socket), then give the browser a moment
            // to answer the close.
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, $"the VM's {what} ended (the VM stopped, was deleted or moved)");
            await Task.WhenAny(toGuest, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
        else if (socket.State == WebSocketState.CloseReceived)
        {
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "closed");
        }
        await stop.CancelAsync();
        try { await Task.WhenAll(fromGuest, toGuest); }
        catch (Exception e)
        {
            // One side's end shows on the other as a cancellation or a broken socket or stream: expected.
            if (e is not (OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)) LogPumpStopped(log, e.Message);
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        var bytes = Encoding.UTF8.GetBytes(reason);
        if (bytes.Length > MaxReasonBytes)
        {
            // Cut on a character boundary and mark the cut.
            var cut = MaxReasonBytes - 3;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) cut--;
            reason = Encoding.UTF8.GetString(bytes, 0, cut) + "…";
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await socket.CloseOutputAsync(status, reason, timeout.Token); }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{What} of VM {Vm} opened by {User}")]
    private static partial void LogOpened(ILogger logger, string what, string vm, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "{What} of VM {Vm} closed ({User})")]
    private static partial void LogClosed(ILogger logger, string what, string vm, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "console of VM {Vm} refused ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string vm, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "console pump stopped: {Reason}")]
    private static partial void LogPumpStopped(ILogger logger, string reason);
}
