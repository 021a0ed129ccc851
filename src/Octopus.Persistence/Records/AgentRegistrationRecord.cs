namespace Octopus.Persistence.Records;

/// <summary>A registered node agent (table <c>Agents</c>): its host id, name, where to reach it, the secret both sides
/// sign requests with (the server must sign too, so it keeps the secret itself, not a hash), and its liveness — the last
/// accepted heartbeat's sequence and time, and whether the health monitor marked it failed — and its last report. Liveness
/// and the report live here, not in memory, so they survive a restart and every server process sees the same: an agent
/// heartbeating to a follower is observed by the leader.</summary>
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

    /// <summary>The agent's last applied report (its <c>AgentStatus</c> as JSON: the VMs it runs and the loads), written
    /// by the statement that accepts the heartbeat; null until the first.</summary>
    public string? Report { get; set; }

    /// <summary>The newest report generation applied: a report with an older generation may predate an operation the
    /// server saw finish, so it does not replace <see cref="Report"/>.</summary>
    public long ReportGeneration { get; set; }
    public long Version { get; set; }
}
