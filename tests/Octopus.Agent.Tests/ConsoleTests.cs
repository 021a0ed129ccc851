using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Octopus.Application.Auth;
using Octopus.Contracts;
using Octopus.Contracts.Agents;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Server.Consoles;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>One real agent with one running test guest (QEMU under TCG), owned by alice, for the console tests: the
/// graphical console (QEMU's VNC on a unix socket, the agent's ticketed WebSocket, the server's proxy) and the serial
/// console of an agent VM.</summary>
public sealed class ConsoleClusterFixture : IAsyncLifetime
{
    public const string Alice = "alice";
    public const string Bob = "bob";
    public const string VmName = "screen1";

    public LocalCluster Cluster { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public VmDto Vm { get; private set; } = null!;

    public static string PasswordOf(string user) => $"{user}-Passw0rd-console";

    public async ValueTask InitializeAsync()
    {
        if (LocalCluster.SkipReason is not null) return;
        Cluster = await LocalCluster.StartAsync(agents: 1);
        Admin = await Cluster.AdminAsync();
        await EndToEndTests.WaitForHostsAsync(Admin, 1);
        var file = Path.Combine(Cluster.ImportFolder, "test-guest.qcow2");
        File.Copy(Cluster.Guest.Disk, file);
        var imported = await Admin.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("test-guest", file));
        imported.EnsureSuccessStatusCode();
        var image = (await imported.Content.ReadFromJsonAsync<ImageDto>(LocalCluster.Json))!;
        foreach (var user in new[] { Alice, Bob })
        {
            using var r = await Admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest(user, PasswordOf(user), "user",
                new QuotaDto(MaxCores: 2, MaxMemoryBytes: 1L << 30, MaxDiskBytes: 10L << 30, MaxVms: 2)));
            r.EnsureSuccessStatusCode();
        }
        using (var created = await Admin.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest(VmName, 1, 128L << 20, image.SizeBytes, image.Name, Owner: Alice)))
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Vm = await LocalCluster.WaitForAsync(async () =>
        {
            var vm = await Admin.GetFromJsonAsync<VmDto>(ApiRoutes.Vm(VmName), LocalCluster.Json);
            return vm!.State == "Running" ? vm : null;
        }, TimeSpan.FromSeconds(60), $"{VmName} running");
        // The guest has booted (its kernel and the firmware have drawn on the screen) once its ready marker is printed.
        await LocalCluster.WaitForAsync(async () =>
        {
            var text = (await Admin.GetFromJsonAsync<VmConsoleDto>(ApiRoutes.VmConsole(Vm.Id, 64 * 1024), LocalCluster.Json))!.Text;
            return text.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal) ? text : null;
        }, TimeSpan.FromSeconds(60), "the guest's ready marker");
    }

    public async Task<HttpClient> LoginAsync(string user)
    {
        var http = new HttpClient { BaseAddress = new Uri(Cluster.ServerUrl) };
        using var r = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(user, PasswordOf(user)));
        r.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await r.Content.ReadFromJsonAsync<TokenResponse>(LocalCluster.Json))!.Token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

/// <summary>The consoles of a real QEMU guest through its agent and the server, as a browser reaches them: a console
/// ticket from the server, then the server's WebSocket, which the server proxies to the agent's WebSocket (authorised by
/// a console ticket it signs for that VM and caller), which the agent pipes to QEMU's unix socket.</summary>
public sealed class ConsoleTests(ConsoleClusterFixture fx) : IClassFixture<ConsoleClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Screen_ThroughTheServer_SpeaksRfbAndSendsTheGuestsScreen()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        using var alice = await fx.LoginAsync(ConsoleClusterFixture.Alice);
        var ticket = await TicketAsync(alice, "vnc");
        ticket.Kind.Should().Be("vnc");
        ticket.Url.Should().StartWith(ApiRoutes.VmGraphicalConsole(fx.Vm.Id) + "?ticket=");

        using var socket = await ConnectAsync(ticket.Url, alice);
        await using var rfb = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
        var screen = await RfbHandshakeAsync(rfb);
        screen.Width.Should().BeGreaterThan(0);
        screen.Height.Should().BeGreaterThan(0);
        screen.LitPixels.Should().BeGreaterThan(100, "the guest's firmware and kernel drew text on its screen");

        // The admin may open it too (another viewer at the same time: QEMU shares the screen).
        var adminTicket = await TicketAsync(fx.Admin, "vnc");
        using var second = await ConnectAsync(adminTicket.Url, fx.Admin);
        await using var rfb2 = WebSocketStream.Create(second, WebSocketMessageType.Binary, ownsWebSocket: false);
        (await RfbHandshakeAsync(rfb2)).Width.Should().Be(screen.Width);

        var audit = await fx.Admin.GetFromJsonAsync<Page<AuditEntryDto>>($"{ApiRoutes.Audit}?action=vm.console&limit=50", LocalCluster.Json, Ct);
        audit!.Items.Should().Contain(a => a.Actor == ConsoleClusterFixture.Alice && a.Result.Contains("screen opened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Screen_ExpiredOrOtherUsersTicket_IsRefusedWithItsCloseCode()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        using var alice = await fx.LoginAsync(ConsoleClusterFixture.Alice);
        using var bob = await fx.LoginAsync(ConsoleClusterFixture.Bob);

        // Bob cannot get a ticket for Alice's VM: it is a 404, as if it did not exist.
        using (var r = await bob.PostAsync(ApiRoutes.VmConsoleTicket(fx.Vm.Id, "vnc"), null, Ct))
            r.StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Alice's ticket, presented by Bob's session: refused.
        var ticket = await TicketAsync(alice, "vnc");
        using (var socket = await ConnectAsync(ticket.Url, bob))
            (await RefusalAsync(socket)).Should().Be((4403, "This console ticket was issued to another user."));

        // A ticket sealed with the server's keys, but 31 s old (they last 30 s): expired.
        var tickets = new ConsoleTickets(fx.Cluster.Server.Services.GetRequiredService<IDataProtectionProvider>(), new PastClock(TimeSpan.FromSeconds(31)));
        var aliceId = (await fx.Admin.GetFromJsonAsync<Page<UserDto>>(ApiRoutes.Users, LocalCluster.Json, Ct))!.Items.Single(u => u.Username == ConsoleClusterFixture.Alice).Id;
        var (expired, _) = tickets.Issue(new Caller(new UserId(Guid.Parse(aliceId)), ConsoleClusterFixture.Alice, false), new VmId(Guid.Parse(fx.Vm.Id)), ConsoleTickets.Vnc);
        using (var socket = await ConnectAsync($"{ApiRoutes.VmGraphicalConsole(fx.Vm.Id)}?ticket={Uri.EscapeDataString(expired)}", alice))
        {
            var (code, reason) = await RefusalAsync(socket);
            code.Should().Be(4401);
            reason.Should().Contain("expired");
        }

        // A serial ticket does not open the screen.
        var serial = await TicketAsync(alice, "serial");
        using (var socket = await ConnectAsync($"{ApiRoutes.VmGraphicalConsole(fx.Vm.Id)}?ticket={Uri.EscapeDataString(serial.Ticket)}", alice))
            (await RefusalAsync(socket)).Code.Should().Be(4403);
    }

    [Fact]
    public async Task AgentConsoleSocket_OnlyWithAConsoleTicketItsServerSigned()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        var agent = fx.Cluster.Server.Services.GetRequiredService<Octopus.Application.Agents.AgentRegistry>().All.Single();
        var vm = Guid.Parse(fx.Vm.Id);
        var url = new Uri(agent.Url.Replace("http://", "ws://", StringComparison.Ordinal) + AgentRoutes.VmConsoleOf(vm, "vnc"));

        async Task<HttpStatusCode> StatusWith(string? ticket)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            if (ticket is not null) socket.Options.SetRequestHeader(AgentSignature.ConsoleTicketHeader, ticket);
            try
            {
                await socket.ConnectAsync(url, Ct);
                return HttpStatusCode.SwitchingProtocols;
            }
            catch (WebSocketException)
            {
                return socket.HttpStatusCode;
            }
        }

        var now = DateTimeOffset.UtcNow;
        (await StatusWith(null)).Should().Be(HttpStatusCode.Unauthorized, "no ticket");
        (await StatusWith(AgentSignature.ConsoleTicket("not-the-secret", vm, "vnc", "mallory", now.AddSeconds(10)))).Should().Be(HttpStatusCode.Unauthorized, "forged");
        (await StatusWith(AgentSignature.ConsoleTicket(agent.Secret, vm, "vnc", "alice", now.AddSeconds(-1)))).Should().Be(HttpStatusCode.Unauthorized, "expired");
        (await StatusWith(AgentSignature.ConsoleTicket(agent.Secret, vm, "serial", "alice", now.AddSeconds(10)))).Should().Be(HttpStatusCode.Unauthorized, "another kind");
        (await StatusWith(AgentSignature.Ticket(agent.Secret, vm, now.AddSeconds(10)))).Should().Be(HttpStatusCode.Unauthorized, "a migration ticket");
        (await StatusWith(AgentSignature.ConsoleTicket(agent.Secret, Guid.NewGuid(), "vnc", "alice", now.AddSeconds(10)))).Should().Be(HttpStatusCode.Unauthorized, "another VM");

        using var ok = new ClientWebSocket();
        ok.Options.SetRequestHeader(AgentSignature.ConsoleTicketHeader, AgentSignature.ConsoleTicket(agent.Secret, vm, "vnc", "alice", now.AddSeconds(10)));
        await ok.ConnectAsync(url, Ct);
        await using var rfb = WebSocketStream.Create(ok, WebSocketMessageType.Binary, ownsWebSocket: false);
        var banner = new byte[12];
        await rfb.ReadExactlyAsync(banner, Ct);
        Encoding.ASCII.GetString(banner).Should().Be("RFB 003.008\n");
    }

    [Fact]
    public async Task Serial_OfAnAgentVm_ThroughTheServer_EchoesATypedCommand()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        using var alice = await fx.LoginAsync(ConsoleClusterFixture.Alice);
        var ticket = await TicketAsync(alice, "serial");
        using var socket = await ConnectAsync(ticket.Url, alice);
        await socket.SendAsync(Encoding.ASCII.GetBytes("echo octo-$((6*7))\r"), WebSocketMessageType.Text, true, Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("octo-42", StringComparison.Ordinal))
        {
            var got = await socket.ReceiveAsync(buffer, timeout.Token);
            if (got.MessageType == WebSocketMessageType.Close) throw new EndOfStreamException($"closed ({socket.CloseStatus}: {socket.CloseStatusDescription}); printed: {seen}");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, got.Count));
        }
    }

    [Fact]
    public async Task Screen_InChromium_NoVncDrawsTheGuestsScreen()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        var browser = Path.Combine(TestProcesses.RepositoryRoot(), "tests", "Octopus.Web.Tests", "browser");
        var missing = !File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium is missing"
            : !Directory.Exists(Path.Combine(browser, "node_modules", "playwright-core")) ? $"{browser}/node_modules is missing (npm ci)" : null;
        if (missing is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"the browser test cannot run in CI: {missing}; scripts/install-deps should have installed it.");
            Assert.Skip($"{missing}; run scripts/install-deps.");
        }
        var shots = Path.Combine(TestProcesses.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(shots);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = browser };
        start.ArgumentList.Add(Path.Combine("scenarios", "vm-screen.mjs"));
        start.Environment["OCTOPUS_URL"] = fx.Cluster.ServerUrl;
        start.Environment["OCTOPUS_USER"] = ConsoleClusterFixture.Alice;
        start.Environment["OCTOPUS_PASSWORD"] = ConsoleClusterFixture.PasswordOf(ConsoleClusterFixture.Alice);
        start.Environment["SCREENSHOTS"] = shots;
        start.Environment["VM_ID"] = fx.Vm.Id;
        start.Environment["VM_NAME"] = fx.Vm.Name;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(Ct);
        var stderr = node.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try { await node.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout;
        node.ExitCode.Should().Be(0, $"the scenario failed:\n{output}\n{await stderr}");
        output.Should().Contain("the guest's screen is drawn").And.Contain("axe-core: 0 serious/critical on the screen page at 360 px").And.Contain("no CSP violation");
    }

    private async Task<ConsoleTicketDto> TicketAsync(HttpClient http, string kind)
    {
        using var r = await http.PostAsync(ApiRoutes.VmConsoleTicket(fx.Vm.Id, kind), null, Ct);
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync(Ct));
        return (await r.Content.ReadFromJsonAsync<ConsoleTicketDto>(LocalCluster.Json, Ct))!;
    }

    /// <summary>Connects to the server's console WebSocket as the client's user (its bearer token on the upgrade).</summary>
    private async Task<ClientWebSocket> ConnectAsync(string url, HttpClient asUser)
    {
        var socket = new ClientWebSocket();
        if (asUser.DefaultRequestHeaders.Authorization is { } auth) socket.Options.SetRequestHeader("Authorization", auth.ToString());
        await socket.ConnectAsync(new Uri(fx.Cluster.ServerUrl.Replace("http://", "ws://", StringComparison.Ordinal) + url), Ct);
        return socket;
    }

    private static async Task<(int Code, string Reason)> RefusalAsync(WebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var got = await socket.ReceiveAsync(new byte[256], timeout.Token);
        got.MessageType.Should().Be(WebSocketMessageType.Close, "a refused console sends nothing but its close");
        return ((int)socket.CloseStatus!.Value, socket.CloseStatusDescription ?? "");
    }

    /// <summary>An RFB 3.8 client's opening, as noVNC does it: version, security type None, shared ClientInit, then one
    /// full (non-incremental) framebuffer update request in the server's own pixel format; reads the update's rectangles
    /// (raw encoding, the only one asked for) and counts the pixels that are not black.</summary>
    private static async Task<(int Width, int Height, int LitPixels)> RfbHandshakeAsync(Stream rfb)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        async Task<byte[]> Read(int n)
        {
            var b = new byte[n];
            await rfb.ReadExactlyAsync(b, ct);
            return b;
        }
        static int U16(byte[] b, int at) => (b[at] << 8) | b[at + 1];
        static int U32(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

        Encoding.ASCII.GetString(await Read(12)).Should().Be("RFB 003.008\n", "the server's protocol banner");
        await rfb.WriteAsync("RFB 003.008\n"u8.ToArray(), ct);
        var count = (await Read(1))[0];
        count.Should().BeGreaterThan(0, "a count of 0 is a refusal");
        (await Read(count)).Should().Contain(1, "security type None: the agent authorised the viewer, QEMU asks no password");
        await rfb.WriteAsync(new byte[] { 1 }, ct);
        U32(await Read(4), 0).Should().Be(0, "SecurityResult OK");
        await rfb.WriteAsync(new byte[] { 1 }, ct); // ClientInit: shared
        var init = await Read(24);
        var (width, height, bpp) = (U16(init, 0), U16(init, 2), init[4]);
        await Read(U32(init, 20)); // the desktop name
        await rfb.WriteAsync(new byte[] { 3, 0, 0, 0, 0, 0, (byte)(width >> 8), (byte)width, (byte)(height >> 8), (byte)height }, ct);

        while (true)
        {
            var type = (await Read(1))[0];
            if (type == 0) break; // FramebufferUpdate
            type.Should().BeOneOf([(byte)2], $"only a bell may come before the update; got message type {type}");
        }
        var rects = U16(await Read(3), 1);
        var lit = 0;
        for (var i = 0; i < rects; i++)
        {
            var header = await Read(12);
            var (w, h, encoding) = (U16(header, 4), U16(header, 6), U32(header, 8));
            encoding.Should().Be(0, "raw is the only encoding asked for");
            var pixels = await Read(w * h * (bpp / 8));
            for (var p = 0; p < pixels.Length; p += bpp / 8)
                if (pixels.AsSpan(p, bpp / 8).ContainsAnyExcept((byte)0)) lit++;
        }
        return (width, height, lit);
    }

    /// <summary>The system clock moved back, for a ticket that is already expired when it is issued.</summary>
    private sealed class PastClock(TimeSpan back) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() - back;
    }
}
