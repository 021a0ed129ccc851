using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Octopus.Client;

/// <summary>Sends requests, retries the safe ones, and turns failures into <see cref="OctopusApiException"/> or
/// <see cref="OctopusConnectionException"/>. The operation groups share one instance.</summary>
internal sealed class ApiConnection
{
    /// <summary>Web defaults: camelCase names, case-insensitive reads, numbers as the server sends them.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly OctopusClientOptions _options;
    private readonly string? _token;

    public ApiConnection(HttpClient http, string? token, OctopusClientOptions options)
    {
        _http = http;
        _token = token;
        _options = options;
        // Uri resolution drops the last path segment unless the base ends in '/'.
        var b = http.BaseAddress ?? throw new ArgumentException("The HttpClient needs a BaseAddress (the server's URL).", nameof(http));
        BaseAddress = b.AbsoluteUri.EndsWith('/') ? b : new Uri(b.AbsoluteUri + "/");
    }

    public Uri BaseAddress { get; }
    public OctopusClientOptions Options => _options;

    public async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendCoreAsync(HttpMethod.Get, path, body: null, ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendCoreAsync(method, path, body, ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a command that answers either 204 (null) or a body.</summary>
    public async Task<T?> SendJsonOrNoContentAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct) where T : class
    {
        using var response = await SendCoreAsync(method, path, body, ct).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent) return null;
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a command that answers either 202 Accepted (null: the server goes on with it) or a body.</summary>
    public async Task<T?> SendJsonOrAcceptedAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct) where T : class =>
        (await SendJsonOrOperationAsync<T>(method, path, body, ct).ConfigureAwait(false)).Body;

    /// <summary>Sends a command that answers a body, or 202 Accepted while the server goes on with it as an operation:
    /// then the operation's id, from the answer's Location (<c>/api/v1/operations/{id}</c>; null when it names none).</summary>
    public async Task<(T? Body, string? Operation)> SendJsonOrOperationAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
        where T : class
    {
        using var response = await SendCoreAsync(method, path, body, ct).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted) return (await ReadAsync<T>(response, ct).ConfigureAwait(false), null);
        var location = response.Headers.Location?.OriginalString ?? "";
        var prefix = Octopus.Contracts.ApiRoutes.Operations + "/";
        var at = location.IndexOf(prefix, StringComparison.Ordinal);
        return (null, at < 0 ? null : Uri.UnescapeDataString(location[(at + prefix.Length)..]));
    }

    /// <summary>Sends a command whose answer body the caller does not need.</summary>
    public async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendCoreAsync(method, path, body, ct).ConfigureAwait(false);
    }

    /// <summary>Sends one request; GETs are retried with exponential back-off on connection failures and
    /// 502/503/504, because repeating them cannot change anything on the server. Throws on any non-success.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var idempotent = method == HttpMethod.Get || method == HttpMethod.Head;
        var attempts = idempotent ? _options.MaxRetries + 1 : 1;
        for (var attempt = 1; ; attempt++)
        {
            // Relative to the base address so a server behind a path prefix (https://x/octopus/) works too.
            using var request = new HttpRequestMessage(method, new Uri(BaseAddress, path.TrimStart('/')));
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
            if (_token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < attempts)
            {
                await DelayAsync(attempt, ct).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new OctopusConnectionException(BaseAddress, DescribeConnectionFailure(e), e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                // HttpClient reports its own timeout as a cancellation the caller never asked for.
                throw new OctopusConnectionException(BaseAddress,
                    $"The server at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s.", e);
            }

            if (response.IsSuccessStatusCode) return response;
            if (attempt < attempts && IsTransient(response.StatusCode))
            {
                response.Dispose();
                await DelayAsync(attempt, ct).ConfigureAwait(false);
                continue;
            }
            using (response)
                throw await ProblemReader.ToExceptionAsync(response, ct).ConfigureAwait(false);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Back-off before retry <paramref name="attempt"/>: base × 2^(attempt−1), capped.</summary>
    internal static TimeSpan RetryDelay(OctopusClientOptions options, int attempt)
    {
        var delay = options.RetryBaseDelay * Math.Pow(2, attempt - 1);
        return delay > options.MaxRetryDelay ? options.MaxRetryDelay : delay;
    }

    private Task DelayAsync(int attempt, CancellationToken ct)
    {
        var delay = RetryDelay(_options, attempt);
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _options.TimeProvider, ct);
    }

    private string DescribeConnectionFailure(HttpRequestException e)
    {
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        var why = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
            _ => e.Message,
        };
        return $"Cannot connect to {BaseAddress}: {why}.";
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(Json, ct).ConfigureAwait(false);
            return value ?? throw new JsonException("The response body was empty.");
        }
        catch (JsonException e)
        {
            throw new OctopusApiException(response.StatusCode, "client.bad-response", null, "Unreadable response",
                $"The server's answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} " +
                $"was not the expected {typeof(T).Name} JSON: {e.Message}");
        }
    }
}
