using System.Net.Http.Headers;
using System.Text.Json;

namespace Octopus.Contracts.Agents;

/// <summary>Builds agent-protocol HTTP requests signed as <see cref="AgentSignature"/> describes.</summary>
public static class SignedRequests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A request to <paramref name="baseUri"/> + <paramref name="pathAndQuery"/> with a JSON body (or none),
    /// signed with <paramref name="secret"/> for <paramref name="direction"/>.</summary>
    public static HttpRequestMessage Create<T>(HttpMethod method, Uri baseUri, string pathAndQuery, T? body, Guid agent, string secret,
        string direction, DateTimeOffset now)
    {
        var bytes = body is null ? [] : JsonSerializer.SerializeToUtf8Bytes(body, Json);
        var request = new HttpRequestMessage(method, new Uri(baseUri, pathAndQuery));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var ts = now.ToUnixTimeMilliseconds();
        request.Headers.Add(AgentSignature.AgentHeader, agent.ToString("D"));
        request.Headers.Add(AgentSignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(AgentSignature.SignatureHeader, AgentSignature.Sign(secret, direction, method.Method, pathAndQuery, ts, bytes));
        return request;
    }
}
