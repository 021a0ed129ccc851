using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Octopus.Drivers.Qemu.Tests.Qmp;

/// <summary>A scripted QMP server on a unix socket: sends a greeting, then answers each command with the lines the
/// handler returns (answers, events, or nothing at all). One client, like QEMU.</summary>
internal sealed class FakeQmpServer : IAsyncDisposable
{
    public const string Greeting = """{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}""";

    private readonly Socket _listener;
    private readonly Task _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _dir;

    public FakeQmpServer(Func<string, JsonObject, IEnumerable<string>> handler, string? greeting = Greeting)
    {
        _dir = Directory.CreateTempSubdirectory("qmp-").FullName;
        SocketPath = Path.Combine(_dir, "qmp.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        _serve = Task.Run(() => ServeAsync(handler, greeting));
    }

    public string SocketPath { get; }
    public List<JsonObject> Received { get; } = [];

    /// <summary>Answers "qmp_capabilities" and otherwise returns an empty object for every command.</summary>
    public static IEnumerable<string> Ok(JsonObject request) => [Return(request, "{}")];

    public static string Return(JsonObject request, string json) =>
        new JsonObject { ["return"] = JsonNode.Parse(json), ["id"] = request["id"]?.DeepClone() }.ToJsonString();

    public static string Event(string name, string data = "{}") =>
        $$"""{"timestamp": {"seconds": 1700000000, "microseconds": 250000}, "event": "{{name}}", "data": {{data}}}""";

    private async Task ServeAsync(Func<string, JsonObject, IEnumerable<string>> handler, string? greeting)
    {
        using var client = await _listener.AcceptAsync(_stop.Token);
        await using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        if (greeting is null)
        {
            // Hold the connection silently, as QEMU does while another client owns the socket.
            await Task.Delay(Timeout.Infinite, _stop.Token);
            return;
        }
        await writer.WriteLineAsync(greeting);
        while (!_stop.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(_stop.Token);
            if (line is null) return;
            var request = JsonNode.Parse(line)!.AsObject();
            lock (Received) Received.Add(request);
            var command = request["execute"]!.GetValue<string>();
            var replies = command == "qmp_capabilities" ? Ok(request) : handler(command, request);
            foreach (var reply in replies)
            {
                if (reply == "CLOSE") return;
                await writer.WriteLineAsync(reply);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _serve;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Stopping the server ends its loop this way.
        }
        Directory.Delete(_dir, recursive: true);
    }
}
