using System.Net;
using System.Text;

namespace Octopus.Client.Tests;

/// <summary>An HttpMessageHandler that answers from a script of canned responses and records what it was sent.</summary>
public sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();

    public List<(HttpMethod Method, string PathAndQuery, string? Authorization, string? Body)> Requests { get; } = [];

    public StubHandler Then(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        _script.Enqueue(respond);
        return this;
    }

    public StubHandler ThenJson(HttpStatusCode status, string json, string mediaType = "application/json") =>
        Then(_ => Json(status, json, mediaType));

    public StubHandler ThenRefuse() =>
        Then(_ => throw new HttpRequestException("Connection refused (127.0.0.1:1)",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString(), body));
        if (_script.Count == 0) throw new InvalidOperationException($"Unexpected request {request.Method} {request.RequestUri}");
        var response = _script.Dequeue()(request);
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Canned wire bodies, written the way the server writes them (camelCase).</summary>
public static class Wire
{
    public static string Vm(string name = "web1", string state = "Running", string? host = "host-01", string? reason = null, string id = "vm-1") =>
        $$"""
        {"id":"{{id}}","name":"{{name}}","owner":"alice","state":"{{state}}","spec":"Running","host":{{Q(host)}},"cores":2,
         "memoryBytes":4294967296,"diskBytes":21474836480,"image":"debian-12","statusReason":{{Q(reason)}},
         "createdAt":"2026-11-24T10:00:00Z","stateChangedAt":"2026-11-24T10:00:01Z","startedAt":null,"leaseExpiresAt":null,
         "tags":["web"],"cpuLoad":0.25}
        """;

    public static string Page(string itemsJson, string? next) => $$"""{"items":[{{itemsJson}}],"nextCursor":{{Q(next)}}}""";

    public static string Problem(int status, string title, string detail, string? code = null, string? field = null) =>
        $$"""{"type":"https://octopus.dev/problems/{{code}}","title":"{{title}}","status":{{status}},"detail":"{{detail}}","code":{{Q(code)}},"field":{{Q(field)}}}""";

    private static string Q(string? s) => s is null ? "null" : $"\"{s}\"";
}
