using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;

namespace Octopus.Drivers.Agent;

/// <summary>A registered agent as stored: its host id, where to reach it, and the secret both sides sign with.</summary>
public sealed record AgentRecord(Guid Id, string Name, string Url, string Secret, DateTimeOffset RegisteredAt)
{
    public HostId Host => new(Id);
    public Uri BaseUri => new(Url);
}

/// <summary>What the server knows of one agent right now.</summary>
public sealed record AgentView(AgentRecord Record, DateTimeOffset LastHeard, bool Failed, AgentStatus? Last);

/// <summary>What the agent driver needs to know of the registered agents: who they are, what each last reported, and
/// where to put a status fetched right after an operation. The server's agent registry (in the store) implements it.</summary>
public interface IAgentDirectory
{
    AgentRecord? Find(Guid id);

    AgentView? View(Guid id);

    void ApplyFresh(Guid id, AgentStatus status);
}
