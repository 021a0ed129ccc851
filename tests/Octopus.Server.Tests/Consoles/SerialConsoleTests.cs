using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Consoles;

/// <summary>The serial console end to end in one server process: <c>POST /vms/{id}/console/ticket</c> (who may get one,
/// and when), and the WebSocket it opens, against the simulated cluster's guest (<c>SimulatedShell</c>): a typed command is
/// echoed and answered; every bad ticket is refused with its close code and reason.</summary>
public sealed class SerialConsoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>System time plus an offset the test moves (timers stay real, so the control loop keeps running).</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    private static async Task<(TestServerApp Server, HttpClient Alice)> StartWithVmAsync(ShiftedClock? clock = null)
    {
        var server = await TestServerApp.StartAsync(customize: clock is null ? null : b => b.Services.AddSingleton<TimeProvider>(clock));
        var alice = await server.NewUserAsync("alice");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1, memoryGiB: 1), Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
        await alice.WaitForStateAsync("web1", "Running");
        return (server, alice);
    }

    private static async Task<ConsoleTicketDto> TicketAsync(HttpClient http, string vm)
    {
        var r = await http.PostAsync(ApiRoutes.VmConsoleTicket(vm), null, Ct);
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync(Ct));
        return await r.ReadAsync<ConsoleTicketDto>();
    }

    private static Task<WebSocket> ConnectAsync(TestServerApp server, string url, string? bearer = null)
    {
        var client = server.App.GetTestServer().CreateWebSocketClient();
        if (bearer is not null) client.ConfigureRequest = r => r.Headers.Authorization = bearer;
        return client.ConnectAsync(new Uri("ws://localhost" + url), Ct);
    }

    /// <summary>Reads binary messages until <paramref name="expected"/> was printed (10 s at most).</summary>
    private static async Task<string> ReadUntilAsync(WebSocket socket, string expected)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var got = await socket.ReceiveAsync(buffer, timeout.Token);
            if (got.MessageType == WebSocketMessageType.Close)
                throw new EndOfStreamException($"closed ({socket.CloseStatus}: {socket.CloseStatusDescription}) before '{expected}'; printed: {seen}");
            got.MessageType.Should().Be(WebSocketMessageType.Binary);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, got.Count));
        }
        return seen.ToString();
    }

    /// <summary>The close the server sends at once for a refused connection: its code and reason.</summary>
    private static async Task<(int Code, string Reason)> RefusalAsync(WebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var got = await socket.ReceiveAsync(new byte[256], timeout.Token);
        got.MessageType.Should().Be(WebSocketMessageType.Close, "a refused console sends nothing but its close");
        return ((int)socket.CloseStatus!.Value, socket.CloseStatusDescription ?? "");
    }

    private static Task SendAsync(WebSocket socket, string typed) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(typed), WebSocketMessageType.Text, endOfMessage: true, Ct);

    [Fact]
    public async Task Owner_TicketThenSocket_TypedCommandIsEchoedAndAnswered_AndTheOpenIsAudited()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;

        var ticket = await TicketAsync(alice, "web1");
        ticket.Vm.Should().Be("web1");
        ticket.Kind.Should().Be("serial");
        ticket.ExpiresAt.Should().BeCloseTo(DateTimeOffset.UtcNow.AddSeconds(30), TimeSpan.FromSeconds(5));
        ticket.Url.Should().StartWith(ApiRoutes.VmSerialConsole(ticket.VmId) + "?ticket=");

        using var socket = await ConnectAsync(server, ticket.Url);
        await ReadUntilAsync(socket, "web1 login: ");
        await SendAsync(socket, "alice\r");
        await ReadUntilAsync(socket, "alice@web1:~$ ");
        await SendAsync(socket, "echo hello console\r");
        // The guest's tty echoes the line as typed, then the command prints its words on a line of their own.
        var answer = await ReadUntilAsync(socket, "\r\nhello console\r\nalice@web1:~$ ");
        answer.Should().StartWith("echo hello console");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);

        var admin = await server.LoginAsync();
        var audit = await (await admin.GetAsync(ApiRoutes.Audit, Ct)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "vm.console-ticket" && a.Actor == "alice" && a.Succeeded);
        audit.Items.Should().Contain(a => a.Action == "vm.console" && a.Actor == "alice" && a.Target == "vm/web1" && a.Succeeded);
    }

    [Fact]
    public async Task Ticket_OtherUserGets404LikeAMissingVm_AdminGetsOneAndTypes()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        var bob = await server.NewUserAsync("bob");

        var refused = await bob.PostAsync(ApiRoutes.VmConsoleTicket("alice/web1"), null, Ct);
        refused.StatusCode.Should().Be(HttpStatusCode.NotFound, "another user's VM is reported exactly like one that does not exist");
        (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("not-found");

        var admin = await server.LoginAsync();
        var ticket = await TicketAsync(admin, "alice/web1");
        using var socket = await ConnectAsync(server, ticket.Url);
        await ReadUntilAsync(socket, "web1 login: ");
        await SendAsync(socket, "root\r");
        await SendAsync(socket, "hostname\r");
        await ReadUntilAsync(socket, "\r\nweb1\r\nroot@web1:~# ");
    }

    [Fact]
    public async Task Ticket_VmNotRunning_Is409SayingWhat_AndABadKindIs400()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        await alice.PostAsync(ApiRoutes.VmAction("web1", "stop"), null, Ct);
        await alice.WaitForStateAsync("web1", "Stopped");

        var r = await alice.PostAsync(ApiRoutes.VmConsoleTicket("web1"), null, Ct);

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("console.not-running");
        problem.GetProperty("detail").GetString().Should().Be("VM 'web1' is Stopped: its serial console can be opened only while it runs; start it first.");
        var vnc = await alice.PostAsync(ApiRoutes.VmConsoleTicket("web1", "vnc"), null, Ct);
        vnc.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await vnc.ProblemAsync()).GetProperty("detail").GetString().Should().Be("VM 'web1' is Stopped: its screen can be opened only while it runs; start it first.");
        var rdp = await alice.PostAsync(ApiRoutes.VmConsoleTicket("web1", "rdp"), null, Ct);
        rdp.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await rdp.ProblemAsync()).GetProperty("field").GetString().Should().Be("kind");
    }

    [Fact]
    public async Task ScreenTicket_SimulatedVmHasNoScreen_Is409PointingToTheSerialConsole()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;

        var r = await alice.PostAsync(ApiRoutes.VmConsoleTicket("web1", "vnc"), null, Ct);

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("console.no-screen");
        problem.GetProperty("detail").GetString().Should().Be(
            "VM 'web1' has no screen: its host runs the simulated driver, whose VMs have no display. Use its serial console (kind=serial) instead.");
        // A serial ticket is no key to the screen's socket either.
        var serial = await TicketAsync(alice, "web1");
        using var socket = await ConnectAsync(server, $"{ApiRoutes.VmGraphicalConsole(serial.VmId)}?ticket={Uri.EscapeDataString(serial.Ticket)}");
        (await RefusalAsync(socket)).Should().Be((4403, "This ticket opens a serial console, not a vnc one."));
    }

    [Fact]
    public async Task Socket_ExpiredTicket_ClosedWith4401()
    {
        var clock = new ShiftedClock();
        var (server, alice) = await StartWithVmAsync(clock);
        await using var _ = server;
        var ticket = await TicketAsync(alice, "web1");

        clock.Offset = TimeSpan.FromSeconds(31);
        using var socket = await ConnectAsync(server, ticket.Url);

        var (code, reason) = await RefusalAsync(socket);
        code.Should().Be(4401);
        reason.Should().Be("The console ticket has expired (they last 30 s); open the console again.");
    }

    [Theory]
    [InlineData("not-a-ticket")]
    [InlineData("altered")]
    [InlineData("")]
    public async Task Socket_ForgedAlteredOrMissingTicket_ClosedWith4400(string kind)
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        var ticket = await TicketAsync(alice, "web1");
        var forged = kind switch
        {
            "altered" => ticket.Ticket[..^6] + (ticket.Ticket[^6] == 'A' ? 'B' : 'A') + ticket.Ticket[^5..],
            _ => kind,
        };

        using var socket = await ConnectAsync(server, $"{ApiRoutes.VmSerialConsole(ticket.VmId)}?ticket={Uri.EscapeDataString(forged)}");

        var (code, reason) = await RefusalAsync(socket);
        code.Should().Be(4400);
        reason.Should().StartWith(kind == "" ? "No console ticket" : "The console ticket is not valid");
    }

    [Fact]
    public async Task Socket_TicketOfAnotherVmOrAnotherUser_ClosedWith4403()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web2", cores: 1, memoryGiB: 1), Ct)).EnsureSuccessStatusCode();
        var web2 = await alice.WaitForStateAsync("web2", "Running");
        var ticket = await TicketAsync(alice, "web1");

        using (var socket = await ConnectAsync(server, $"{ApiRoutes.VmSerialConsole(web2.Id)}?ticket={Uri.EscapeDataString(ticket.Ticket)}"))
        {
            var (code, reason) = await RefusalAsync(socket);
            code.Should().Be(4403);
            reason.Should().Be("This console ticket opens another VM's console.");
        }

        var bob = await server.NewUserAsync("bob");
        using (var socket = await ConnectAsync(server, ticket.Url, bearer: bob.DefaultRequestHeaders.Authorization!.ToString()))
        {
            var (code, reason) = await RefusalAsync(socket);
            code.Should().Be(4403);
            reason.Should().Be("This console ticket was issued to another user.");
        }
    }

    [Fact]
    public async Task Socket_VmStops_ConsoleEndsWithTheGuestsLastWordsAndANormalClose()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        using var socket = await ConnectAsync(server, (await TicketAsync(alice, "web1")).Url);
        await ReadUntilAsync(socket, "login: ");

        await alice.PostAsync(ApiRoutes.VmAction("web1", "stop"), null, Ct);

        var act = () => ReadUntilAsync(socket, "never printed");
        var end = await act.Should().ThrowAsync<EndOfStreamException>();
        end.Which.Message.Should().Contain("reboot: Power down");
        socket.CloseStatus.Should().Be(WebSocketCloseStatus.NormalClosure);
        socket.CloseStatusDescription.Should().StartWith("the VM's serial console ended");
    }

    [Fact]
    public async Task Socket_PlainGet_Is400ProblemSayingItIsAWebSocket()
    {
        var (server, alice) = await StartWithVmAsync();
        await using var _ = server;
        var ticket = await TicketAsync(alice, "web1");

        var r = await alice.GetAsync(ticket.Url, Ct);

        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("console.websocket-required");
    }
}
