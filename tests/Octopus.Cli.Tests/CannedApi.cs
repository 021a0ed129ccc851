using System.Net;
using System.Text;

namespace Octopus.Cli.Tests;

/// <summary>A fake Octopus server inside an HttpMessageHandler: each route answers its canned responses in order,
/// repeating the last one. Unknown routes are a test failure, so the CLI cannot call anything unexpected.</summary>
public sealed class CannedApi : HttpMessageHandler
{
    private readonly Dictionary<string, Queue<Func<HttpResponseMessage>>> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<HttpResponseMessage>> _last = new(StringComparer.Ordinal);

    public List<(string Route, string? Authorization, string? Body)> Requests { get; } = [];

    /// <summary>Answers <paramref name="method"/> <paramref name="pathAndQuery"/> with these JSON bodies in turn.</summary>
    public CannedApi On(string method, string pathAndQuery, HttpStatusCode status, params string[] bodies)
    {
        var key = method + " " + pathAndQuery;
        if (!_routes.TryGetValue(key, out var q)) _routes[key] = q = new Queue<Func<HttpResponseMessage>>();
        foreach (var body in bodies)
        {
            var mediaType = (int)status >= 400 ? "application/problem+json" : "application/json";
            q.Enqueue(() => new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) });
        }
        return this;
    }

    public CannedApi Ok(string method, string pathAndQuery, params string[] bodies) => On(method, pathAndQuery, HttpStatusCode.OK, bodies);

    public CannedApi Refuse(string method, string pathAndQuery)
    {
        var key = method + " " + pathAndQuery;
        _routes[key] = new Queue<Func<HttpResponseMessage>>([() => throw new HttpRequestException("Connection refused",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused))]);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = request.Method.Method + " " + request.RequestUri!.PathAndQuery;
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((key, request.Headers.Authorization?.ToString(), body));
        Func<HttpResponseMessage> respond;
        if (_routes.TryGetValue(key, out var q) && q.Count > 0) _last[key] = respond = q.Dequeue();
        else if (!_last.TryGetValue(key, out respond!)) throw new InvalidOperationException($"CannedApi: no answer for {key}");
        var response = respond();
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Wire bodies as the server writes them.</summary>
public static class Wire
{
    public static string Vm(string name = "web1", string state = "Running", string? host = "host-01", string? reason = null,
        string owner = "alice", string id = "vm-1", int cores = 2) =>
        $$"""
        {"id":"{{id}}","name":"{{name}}","owner":"{{owner}}","state":"{{state}}","spec":"Running","host":{{Q(host)}},"cores":{{cores}},
         "memoryBytes":4294967296,"diskBytes":21474836480,"image":"debian-12","statusReason":{{Q(reason)}},
         "createdAt":"2026-11-24T10:00:00Z","stateChangedAt":"2026-11-24T10:00:01Z","startedAt":null,"leaseExpiresAt":null,
         "tags":["web"],"cpuLoad":0.25}
        """;

    public static string Page(params string[] items) => $$"""{"items":[{{string.Join(",", items)}}],"nextCursor":null}""";

    public static string Problem(int status, string title, string detail, string code, string? field = null) =>
        $$"""{"title":"{{title}}","status":{{status}},"detail":"{{detail}}","code":"{{code}}","field":{{Q(field)}}}""";

    public static string User(string name = "bob", string quota = """{"maxCores":4,"maxMemoryBytes":null,"maxDiskBytes":null,"maxVms":3}""") =>
        $$"""{"id":"u-{{name}}","username":"{{name}}","role":"user","quota":{{quota}},"usage":{"cores":2,"memoryBytes":4294967296,"diskBytes":0,"vms":1},"createdAt":"2026-11-24T10:00:00Z"}""";

    public static string Host(string name = "host-01", bool maintenance = false, string power = "On") =>
        $$"""
        {"id":"h-{{name}}","name":"{{name}}","powerState":"{{power}}","maintenance":{{(maintenance ? "true" : "false")}},"cores":8,"mipsPerCore":2660,
         "memoryBytes":17179869184,"diskBytes":1099511627776,"allocatedCores":2,"allocatedMemoryBytes":4294967296,
         "allocatedDiskBytes":21474836480,"vmCount":1,"cpuLoad":0.5,"powerWatts":102,"vms":["web1"]}
        """;

    public const string Token = """{"token":"tok-123","expiresAt":"2026-12-01T00:00:00Z","username":"admin","role":"admin"}""";

    private static string Q(string? s) => s is null ? "null" : $"\"{s}\"";
}
