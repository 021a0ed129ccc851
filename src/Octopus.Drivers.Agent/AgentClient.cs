using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Octopus.Contracts.Agents;
using Octopus.Drivers;

namespace Octopus.Drivers.Agent;

/// <summary>Calls agents: every request is signed with the agent's secret (direction "server"); refusals and unreachable
/// agents become <see cref="DriverException"/>s naming the host.</summary>
public sealed class AgentClient(HttpClient http, TimeProvider time)
{
    public async Task<T> SendAsync<T>(AgentRecord agent, HttpMethod method, string pathAndQuery, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(agent, method, pathAndQuery, body, HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync<T>(SignedRequests.Json, ct))
               ?? throw new DriverException($"host {agent.Name}'s agent answered {pathAndQuery} with nothing.");
    }

    /// <summary>Reads an NDJSON answer line by line (the migrate call's progress).</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(AgentRecord agent, string pathAndQuery, object body, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendRawAsync(agent, HttpMethod.Post, pathAndQuery, body, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var item = JsonSerializer.Deserialize<T>(line, SignedRequests.Json);
            if (item is not null) yield return item;
        }
    }

    /// <summary>Opens one of a VM's consoles on its agent (<c>GET /agent/v1/vms/{id}/console/{kind}</c>, a WebSocket) with
    /// a console ticket signed now for <paramref name="user"/>, valid for <paramref name="lifetime"/>. The agent's refusal
    /// (VM not there, not running, no such console; a bad ticket) becomes a <see cref="DriverException"/> with its reason.
    /// The stream reads what the guest sends and ends when the agent closes; disposing it closes the WebSocket.</summary>
    public async Task<Stream> OpenConsoleAsync(AgentRecord agent, Guid vm, string kind, string user, TimeSpan lifetime, CancellationToken ct)
    {
        var uri = new UriBuilder(new Uri(agent.BaseUri, AgentRoutes.VmConsoleOf(vm, kind)));
        uri.Scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        socket.Options.SetRequestHeader(AgentSignature.ConsoleTicketHeader,
            AgentSignature.ConsoleTicket(agent.Secret, vm, kind, user, time.GetUtcNow() + lifetime));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri.Uri, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var status = (int)socket.HttpStatusCode;
            var reason = socket.HttpResponseHeaders?.TryGetValue(AgentProblems.RefusedHeader, out var values) == true ? string.Join(" ", values) : null;
            socket.Dispose();
            throw new DriverException(reason is not null
                ? $"host {agent.Name}: {reason}"
                : status != 0 ? $"host {agent.Name}'s agent refused the {kind} console (HTTP {status})."
                : $"host {agent.Name}'s agent is unreachable at {agent.Url}: {e.Message}", e);
        }
        return WebSocketStream.Create(socket, WebSocketMessageType.Binary, TimeSpan.FromSeconds(2));
    }

    private async Task<HttpResponseMessage> SendRawAsync(AgentRecord agent, HttpMethod method, string pathAndQuery, object? body,
        HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = SignedRequests.Create(method, agent.BaseUri, pathAndQuery, body, agent.Id, agent.Secret, AgentSignature.FromServer, time.GetUtcNow());
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new DriverException($"host {agent.Name}'s agent is unreachable at {agent.Url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new DriverException($"host {agent.Name}'s agent at {agent.Url} did not answer in time.", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
            throw new DriverException($"host {agent.Name}: {await AgentProblems.DetailAsync(response, ct)}");
    }
}
