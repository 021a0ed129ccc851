using System.Text.Json;
using System.Threading.Channels;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Migration;

namespace Octopus.Agent;

/// <summary>The agent's HTTP surface under <c>/agent/v1</c>. Every call must be signed by the server with this agent's
/// secret, except the migration-target calls (<c>vms/{id}/incoming/*</c>), which take a server-signed migration ticket for
/// that VM instead (the migrating peer holds it). Driver refusals are 409 problems with the driver's message.</summary>
internal static partial class AgentEndpoints
{
    public static void MapAgentEndpoints(this WebApplication app)
    {
        app.Use(AuthenticateAsync);
        var g = app.MapGroup(AgentRoutes.AgentBase);

        g.MapGet("/status", async (AgentReporter reporter, CancellationToken ct) => Results.Ok(await reporter.StatusAsync(ct)));

        g.MapPost("/vms/{id:guid}/create", (Guid id, AgentCreateRequest body, QemuNodeDriver driver, ResolvedAgentOptions o, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () =>
            {
                if (string.IsNullOrWhiteSpace(body.DiskFile) || Path.GetFileName(body.DiskFile) != body.DiskFile)
                    throw new ArgumentException($"diskFile must be a file name inside the storage folder; got '{body.DiskFile}'.");
                var spec = new QemuVmSpec(new VmId(id), body.Name, body.Cores, new ByteSize(body.MemoryBytes), Path.Combine(o.Storage, body.DiskFile), o.Boot,
                    Nics: SpecMapping.Ports(new VmId(id), body.Name, body.Nics), Seed: Seed(body.Seed));
                await driver.CreateAsync(spec, ct);
                s.Suspended.TryRemove(spec.Id, out _);
            }));
        g.MapPost("/vms/{id:guid}/start", (Guid id, AgentStartRequest? body, QemuNodeDriver d, ResolvedAgentOptions o, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () =>
            {
                if (body?.DiskFile is { } file)
                {
                    if (string.IsNullOrWhiteSpace(file) || Path.GetFileName(file) != file)
                        throw new ArgumentException($"diskFile must be a file name inside the storage folder; got '{file}'.");
                    await d.StartAsync(new VmId(id), Path.Combine(o.Storage, file),
                        body.Nics is null ? null : SpecMapping.Ports(new VmId(id), d.GetSpec(new VmId(id)).Name, body.Nics) ?? [],
                        keepSeed: false, Seed(body.Seed), ct);
                }
                else await d.StartAsync(new VmId(id), ct);
                s.Suspended.TryRemove(new VmId(id), out _);
            }));
        g.MapPost("/vms/{id:guid}/stop", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () => { await d.StopAsync(new VmId(id), ct); s.Suspended.TryRemove(new VmId(id), out _); }));
        g.MapPost("/vms/{id:guid}/reboot", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, () => d.RebootAsync(new VmId(id), ct)));
        g.MapPost("/vms/{id:guid}/suspend", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () => { await d.PauseAsync(new VmId(id), ct); s.Suspended[new VmId(id)] = true; }));
        g.MapPost("/vms/{id:guid}/resume", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () => { await d.ResumeAsync(new VmId(id), ct); s.Suspended.TryRemove(new VmId(id), out _); }));
        g.MapPost("/vms/{id:guid}/delete", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () => { await d.DeleteAsync(new VmId(id), ct); s.Suspended.TryRemove(new VmId(id), out _); }));
        g.MapGet("/vms/{id:guid}/console", async (Guid id, int? maxBytes, QemuNodeDriver d, CancellationToken ct) =>
        {
            var max = maxBytes ?? 64 * 1024;
            if (max is < 1 or > 16 * 1024 * 1024) return Problem(400, "maxBytes must be between 1 and 16777216.");
            try { return Results.Ok(new AgentConsoleResponse(await d.ReadConsoleAsync(new VmId(id), max, ct))); }
            catch (DriverException e) { return Problem(404, e.Message); }
        });
        g.MapGet("/vms/{id:guid}/console/{kind}", ConsoleAsync);
        g.MapPost("/vms/{id:guid}/switch-disk", (Guid id, AgentSwitchDiskRequest body, QemuNodeDriver d, ResolvedAgentOptions o, AgentState s, CancellationToken ct) =>
            RunAsync(s, async () =>
            {
                if (string.IsNullOrWhiteSpace(body.NewDiskFile) || Path.GetFileName(body.NewDiskFile) != body.NewDiskFile)
                    throw new ArgumentException($"newDiskFile must be a file name inside the storage folder; got '{body.NewDiskFile}'.");
                await d.SnapshotDiskAsync(new VmId(id), Path.Combine(o.Storage, body.NewDiskFile), ct);
            }));
        g.MapPost("/vms/{id:guid}/firewall", (Guid id, AgentFirewallRequest body, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, () => d.ApplyIngressAsync(new VmId(id), SpecMapping.Rules(body.Ingress ?? throw new ArgumentException("ingress is required (an empty list admits nothing new).")) ?? [], ct)));
        g.MapPost("/vms/{id:guid}/migrate", MigrateAsync);
        g.MapPost("/networks/{name}/names", (string name, AgentNamesRequest body, AgentNetworkSlot slot, AgentState s, CancellationToken ct) =>
            RunAsync(s, () => OperatingSystem.IsLinux() && slot.Network is { } net
                ? net.PublishNamesAsync(name, [.. (body.Names ?? throw new ArgumentException("names is required (an empty list publishes none).")).Select(n => new NetworkHostName(n.Ip, n.HostName))], ct)
                : throw new DriverException("this agent serves no networks (it does not run on Linux).")));

        // Migration target (called by the source agent with a ticket).
        g.MapPost("/vms/{id:guid}/incoming/prepare", (Guid id, AgentIncomingRequest body, QemuNodeDriver d, CancellationToken ct) =>
            UriAsync(async () =>
            {
                if (body.Spec.Vm != id) throw new ArgumentException("spec.vm does not match the VM in the path.");
                var spec = SpecMapping.FromWire(body.Spec);
                return body.DiskVirtualSize is { } size ? await d.PrepareIncomingWithDiskCopyAsync(spec, size, ct) : await d.PrepareIncomingAsync(spec, ct);
            }));
        g.MapPost("/vms/{id:guid}/incoming/start", (Guid id, QemuNodeDriver d, CancellationToken ct) =>
            UriAsync(() => d.StartIncomingMigrationAsync(new VmId(id), ct)));
        g.MapPost("/vms/{id:guid}/incoming/complete", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, () => d.CompleteIncomingAsync(new VmId(id), ct)));
        g.MapPost("/vms/{id:guid}/incoming/abort", (Guid id, QemuNodeDriver d, AgentState s, CancellationToken ct) =>
            RunAsync(s, () => d.AbortIncomingAsync(new VmId(id), ct)));
    }

    /// <summary>The cloud-init seed the server sent (null: none).</summary>
    private static CloudInitSeed? Seed(AgentSeed? seed) => seed is null ? null : new CloudInitSeed(seed.MetaData, seed.UserData, seed.NetworkConfig);

    private static async Task<IResult> RunAsync(AgentState state, Func<Task> action)
    {
        try
        {
            await action();
            return Results.Ok(new AgentOperationResult(state.Bump()));
        }
        catch (DriverException e) { return Problem(409, e.Message); }
        catch (ArgumentException e) { return Problem(400, e.Message); }
    }

    private static async Task<IResult> UriAsync(Func<Task<string>> action)
    {
        try { return Results.Ok(new AgentUriResponse(await action())); }
        catch (DriverException e) { return Problem(409, e.Message); }
        catch (ArgumentException e) { return Problem(400, e.Message); }
    }

    private static IResult Problem(int status, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: status switch
        {
            400 => "Bad request", 401 => "Authentication required", 403 => "Forbidden", 404 => "Not found", 409 => "Refused by the hypervisor",
            _ => "Agent error",
        });

    /// <summary>Streams NDJSON: progress lines, then the report or the error. The VM keeps running on this host on failure.</summary>
    private static async Task MigrateAsync(HttpContext http, Guid id, AgentMigrateRequest body, QemuNodeDriver driver, AgentState state,
        IHttpClientFactory clients, CancellationToken ct)
    {
        if (!Uri.TryCreate(body.DestinationUrl, UriKind.Absolute, out var destination))
        {
            await Problem(400, $"destinationUrl '{body.DestinationUrl}' is not a URL.").ExecuteAsync(http);
            return;
        }
        http.Response.ContentType = "application/x-ndjson";
        var events = Channel.CreateUnbounded<AgentMigrationEvent>();
        var progress = new Progress(events.Writer);
        var target = new HttpMigrationTarget(new HostId(body.DestinationHost), destination, body.Ticket, clients.CreateClient("peers"));
        var run = Task.Run(async () =>
        {
            try
            {
                var report = await driver.MigrateToAsync(new VmId(id), target, body.CopyDisk ? MigrationStorage.Copy : MigrationStorage.Shared, progress, ct);
                state.Bump();
                state.Suspended.TryRemove(new VmId(id), out _);
                events.Writer.TryWrite(new AgentMigrationEvent(1.0, new AgentMigrationReport(report.TotalTime.TotalMilliseconds,
                    report.Downtime.TotalMilliseconds, report.RamTransferred, report.WallTime.TotalMilliseconds), null));
            }
            catch (Exception e) when (e is DriverException or OperationCanceledException)
            {
                events.Writer.TryWrite(new AgentMigrationEvent(null, null, e.Message));
            }
            finally
            {
                events.Writer.TryComplete();
            }
        }, CancellationToken.None);
        await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await http.Response.WriteAsync(JsonSerializer.Serialize(e, SignedRequests.Json) + "\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The server went away; the migration finishes or rolls back on its own.
            }
        }
        await run;
    }

    private const string RefusedHeader = AgentProblems.RefusedHeader;

    /// <summary>A console of one VM as a WebSocket (serial: the guest's first serial port; vnc: its screen, RFB): the
    /// middleware checked the console ticket (the user it names is in <see cref="HttpContext.Items"/>). The guest's socket
    /// is opened before the upgrade, so a refusal is an ordinary 409 with its reason in <see cref="RefusedHeader"/>.</summary>
    private static async Task ConsoleAsync(HttpContext http, Guid id, string kind, QemuNodeDriver driver, ILoggerFactory logs, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Problem(400, "this is a WebSocket endpoint.").ExecuteAsync(http);
            return;
        }
        var user = http.Items[ConsoleUserItem] as string ?? "?";
        var vm = new VmId(id);
        Stream guest;
        try
        {
            guest = kind switch
            {
                "serial" => await driver.OpenSerialAsync(vm, user, ct),
                "vnc" => await driver.OpenGraphicalAsync(vm, user, ct),
                _ => throw new DriverException($"'{kind}' is not a console (serial or vnc)."),
            };
        }
        catch (DriverException e)
        {
            // Header values are ASCII: anything else in a VM's name becomes '?'.
            http.Response.Headers[RefusedHeader] = new string([.. e.Message.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
            await Problem(409, e.Message).ExecuteAsync(http);
            return;
        }
        var log = logs.CreateLogger("Octopus.Agent.Console");
        await using (guest)
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            LogConsole(log, kind, vm.ToString(), user, "opened");
            await PipeAsync(socket, guest, ct);
            LogConsole(log, kind, vm.ToString(), user, "closed");
        }
    }

    /// <summary>Copies bytes both ways until one side ends: the guest's end closes the socket normally, the socket's end
    /// (the server closed it) closes the guest's socket; the VM itself is never touched.</summary>
    private static async Task PipeAsync(System.Net.WebSockets.WebSocket socket, Stream guest, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var ws = System.Net.WebSockets.WebSocketStream.Create(socket, System.Net.WebSockets.WebSocketMessageType.Binary, ownsWebSocket: false);
        var fromGuest = guest.CopyToAsync(ws, stop.Token);
        var toGuest = ws.CopyToAsync(guest, stop.Token);
        var first = await Task.WhenAny(fromGuest, toGuest);
        if (first == fromGuest && socket.State == System.Net.WebSockets.WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "the VM's console ended", timeout.Token); }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or IOException) { }
        }
        await stop.CancelAsync();
        try { await Task.WhenAll(fromGuest, toGuest); }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException) { }
    }

    private const string ConsoleUserItem = "octopus.console-user";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} console of VM {Vm} {What} (for {User})")]
    private static partial void LogConsole(ILogger logger, string kind, string vm, string user, string what);

    private sealed class Progress(ChannelWriter<AgentMigrationEvent> writer) : IProgress<double>
    {
        private double _last = -1;

        public void Report(double value)
        {
            // At most one line per percent.
            if (value - _last < 0.01) return;
            _last = value;
            writer.TryWrite(new AgentMigrationEvent(value, null, null));
        }
    }

    private static async Task AuthenticateAsync(HttpContext http, Func<Task> next)
    {
        var path = http.Request.Path.Value ?? "";
        if (!path.StartsWith(AgentRoutes.AgentBase + "/", StringComparison.Ordinal))
        {
            await next();
            return;
        }
        var state = http.RequestServices.GetRequiredService<AgentState>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        if (state.Credential is not { } cred)
        {
            await Problem(503, "this agent has not registered with the server yet; retry shortly.").ExecuteAsync(http);
            return;
        }
        var segments = path.Split('/');
        // /agent/v1/vms/{id}/console/{kind}: a WebSocket the server opens for one person, authorised by a console ticket
        // (no body to sign; the ticket names the VM, the kind of console and the person, and expires in seconds).
        if (segments.Length == 7 && segments[3] == "vms" && segments[5] == "console")
        {
            var (user, refused) = Guid.TryParse(segments[4], out var consoleVm)
                ? AgentSignature.VerifyConsoleTicket(cred.Secret, http.Request.Headers[AgentSignature.ConsoleTicketHeader], consoleVm, segments[6], time.GetUtcNow())
                : (null, "no VM id in the path");
            if (refused is not null)
            {
                http.Response.Headers[RefusedHeader] = $"request refused: {refused}.";
                await Problem(401, $"request refused: {refused}.").ExecuteAsync(http);
                return;
            }
            http.Items[ConsoleUserItem] = user;
            await next();
            return;
        }
        http.Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        http.Request.Body.Position = 0;
        var body = buffer.ToArray();
        string? why;
        // /agent/v1/vms/{id}/incoming/{step}
        if (segments.Length == 7 && segments[3] == "vms" && segments[5] == "incoming" && http.Request.Headers.ContainsKey(AgentSignature.TicketHeader))
        {
            why = Guid.TryParse(segments[4], out var vm)
                ? AgentSignature.VerifyTicket(cred.Secret, http.Request.Headers[AgentSignature.TicketHeader], vm, time.GetUtcNow())
                : "no VM id in the path";
        }
        else
        {
            var agent = http.Request.Headers[AgentSignature.AgentHeader].ToString();
            why = !Guid.TryParse(agent, out var a) || a != cred.Id
                ? $"{AgentSignature.AgentHeader} does not name this agent"
                : AgentSignature.Verify(cred.Secret, AgentSignature.FromServer, http.Request.Method, path + http.Request.QueryString.Value,
                    http.Request.Headers[AgentSignature.TimestampHeader], http.Request.Headers[AgentSignature.SignatureHeader], body, time.GetUtcNow());
        }
        if (why is not null)
        {
            await Problem(401, $"request refused: {why}.").ExecuteAsync(http);
            return;
        }
        await next();
    }
}
