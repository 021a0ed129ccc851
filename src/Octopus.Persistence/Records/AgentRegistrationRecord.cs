namespace Octopus.Persistence.Records;

/// <summary>A registered node agent (table <c>Agents</c>): its host id, name, where to reach it, the secret both sides
/// sign requests with (the server must sign too, so it keeps the secret itself, not a hash), and its liveness — the last
/// accepted heartbeat's sequence and time, and whether the health monitor marked it failed. Liveness lives here, not in
/// memory, so it survives a restart and every server process sees the same.</summary>
public sealed class AgentRegistrationRecord
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset LastHeardAt { get; set; }
    public long LastSequence { get; set; }
    public bool Failed { get; set; }
    public long Version { get; set; }
}
