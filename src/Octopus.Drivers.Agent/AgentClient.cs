using System.Net.Http.Json;
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
