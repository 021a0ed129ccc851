using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts.Agents;
using Octopus.Domain;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Persistence;
using Octopus.Application.Configuration;

using Host = Octopus.Domain.Hosts.Host;

using Octopus.Drivers.Agent;
using Octopus.Application.Agents;

namespace Octopus.Server.Agents;

/// <summary>The server's side of the agent protocol: <c>POST /api/v1/agents/register</c> (Bearer join token; adds or
/// updates the agent's Host row and hands out a new per-agent secret) and <c>POST /api/v1/agents/{id}/heartbeat</c>
/// (signed with that secret). Unknown agents and forged signatures are 401 problems; stale or replayed heartbeats 403.</summary>
public static class AgentEndpoints
{
    public static void MapOctopusAgents(this WebApplication app)
    {
        app.MapPost(AgentRoutes.Register, RegisterAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(AgentRoutes.Heartbeat, HeartbeatAsync).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, AgentRegisterRequest body, Microsoft.Extensions.Options.IOptions<AgentOptions> settings, AgentRegistry registry,
        OctopusDbContext db, TimeProvider time, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(settings.Value.JoinToken.Trim())))
            throw new DomainException(ErrorKind.Unauthenticated, "agent.bad-join-token", "the join token is wrong: give the server's Octopus:Agents:JoinToken to the agent with --token.");
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 50 || !body.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw DomainException.Invalid("name", $"'{body.Name}' must be 1-50 lower-case letters, digits or '-'.");
        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw DomainException.Invalid("url", $"'{body.Url}' is not an http(s) URL the server can reach the agent at.");
        var capacity = HostCapacity.Create(body.Cores, new Mips(2660), new ByteSize(body.MemoryBytes), new ByteSize(Math.Max(body.DiskBytes, 1L << 30)));
        var now = time.GetUtcNow();
        var host = await db.Hosts.FirstOrDefaultAsync(h => h.Name == body.Name, ct);
        if (host is null)
        {
            host = Host.Create(body.Name, capacity, ClusterOptions.DefaultPowerModel, now);
            db.Hosts.Add(host);
        }
        else
        {
            host.Reconfigure(capacity, host.PowerModel);
        }
        db.Audit.Add(AuditEntry.Record(now, "agent:" + body.Name, "agent.register", $"host/{body.Name}", true, "ok",
            $"{url} ({body.Cores} cores, {new ByteSize(body.MemoryBytes)})"));
        await db.SaveChangesAsync(ct);
        var record = registry.Register(host.Id, body.Name, url.ToString().TrimEnd('/'));
        return Results.Ok(new AgentRegisterResponse(record.Id, record.Secret, record.Name));
    }

    private static async Task<IResult> HeartbeatAsync(HttpContext http, Guid id, AgentRegistry registry, TimeProvider time, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        var agent = registry.Find(id)
            ?? throw new DomainException(ErrorKind.Unauthenticated, "agent.unknown", $"agent {id} is not registered here; register again with the join token.");
        var why = AgentSignature.Verify(agent.Secret, AgentSignature.FromAgent, http.Request.Method, http.Request.Path + http.Request.QueryString.Value,
            http.Request.Headers[AgentSignature.TimestampHeader], http.Request.Headers[AgentSignature.SignatureHeader], body, time.GetUtcNow());
        if (why is not null)
        {
            if (why.StartsWith("stale", StringComparison.Ordinal)) throw new DomainException(ErrorKind.Forbidden, "agent.stale-heartbeat", $"heartbeat refused: {why}.");
            throw new DomainException(ErrorKind.Unauthenticated, "agent.bad-signature", $"heartbeat refused: {why}.");
        }
        AgentStatus status;
        try { status = JsonSerializer.Deserialize<AgentStatus>(body, SignedRequests.Json) ?? throw new JsonException("empty body"); }
        catch (JsonException e) { throw DomainException.Invalid("body", $"the heartbeat is not an agent status: {e.Message}"); }
        if (await registry.AcceptHeartbeatAsync(id, status) is { } stale)
            throw new DomainException(ErrorKind.Forbidden, "agent.stale-heartbeat", $"heartbeat refused: {stale}.");
        return Results.NoContent();
    }
}
