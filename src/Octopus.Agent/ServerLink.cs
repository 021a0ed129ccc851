using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Octopus.Contracts.Agents;

namespace Octopus.Agent;

/// <summary>The agent's side of the link to the server: registers with the join token (retrying until the server
/// answers), then heartbeats every interval, signed with the secret the registration returned. A heartbeat the server
/// refuses as unknown (401, e.g. after the admin removed the agent or its secret was replaced) makes it register again.</summary>
public sealed partial class ServerLink(ResolvedAgentOptions options, AgentState state, AgentReporter reporter, IHttpClientFactory clients,
    TimeProvider time, ILogger<ServerLink> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var http = clients.CreateClient("server");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (state.Credential is null) await RegisterAsync(http, stoppingToken);
                else await HeartbeatAsync(http, stoppingToken);
            }
            catch (HttpRequestException e)
            {
                LogServerUnreachable(log, options.Server.ToString(), e.Message);
            }
            catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                LogServerUnreachable(log, options.Server.ToString(), "timed out");
            }
            try { await Task.Delay(options.HeartbeatInterval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task RegisterAsync(HttpClient http, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Server, AgentRoutes.Register))
        {
            Content = JsonContent.Create(new AgentRegisterRequest(options.Name, options.Url, options.Cores, options.MemoryBytes, DiskBytes()), options: SignedRequests.Json),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            LogRegistrationRefused(log, (int)response.StatusCode, await AgentProblems.DetailAsync(response, ct));
            return;
        }
        var answer = (await response.Content.ReadFromJsonAsync<AgentRegisterResponse>(SignedRequests.Json, ct))!;
        state.Registered(answer.AgentId, answer.Secret);
        LogRegistered(log, answer.HostName, answer.AgentId);
        await HeartbeatAsync(http, ct);
    }

    private async Task HeartbeatAsync(HttpClient http, CancellationToken ct)
    {
        if (state.Credential is not { } cred) return;
        var status = await reporter.StatusAsync(ct);
        using var request = SignedRequests.Create(HttpMethod.Post, options.Server, AgentRoutes.HeartbeatOf(cred.Id), status, cred.Id, cred.Secret,
            AgentSignature.FromAgent, time.GetUtcNow());
        using var response = await http.SendAsync(request, ct);
        if (response.IsSuccessStatusCode) return;
        var detail = await AgentProblems.DetailAsync(response, ct);
        LogHeartbeatRefused(log, (int)response.StatusCode, detail);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound) state.Forget();
    }

    private long DiskBytes()
    {
        try { return new DriveInfo(options.Storage).TotalSize; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return 100L << 30; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "registered with the server as host {Host} ({Id})")]
    private static partial void LogRegistered(ILogger logger, string host, Guid id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the server refused the registration ({Status}): {Detail}")]
    private static partial void LogRegistrationRefused(ILogger logger, int status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the server refused a heartbeat ({Status}): {Detail}")]
    private static partial void LogHeartbeatRefused(ILogger logger, int status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "server {Server} unreachable: {Problem}")]
    private static partial void LogServerUnreachable(ILogger logger, string server, string problem);
}
