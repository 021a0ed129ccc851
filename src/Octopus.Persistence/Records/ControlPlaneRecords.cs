namespace Octopus.Persistence.Records;

/// <summary>One <c>octopus serve</c> process on this store (table <c>ControlPlaneReplicas</c>): written when it starts and
/// touched every few seconds while it runs, so <c>GET /api/v1/cluster</c> can list who serves and who went quiet.</summary>
public sealed class ControlPlaneReplicaRecord
{
    public Guid Id { get; set; }

    /// <summary>Where the replica listens, as it reports it (host name and port), for operators.</summary>
    public string Address { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>The store's single leadership row (table <c>ControlPlaneLeadership</c>, <see cref="Id"/> always
/// <see cref="SingletonId"/>): the current term, who holds it and since when. A replica that takes the leadership lock
/// raises <see cref="Term"/> by one before it decides anything, and every write it makes as leader checks, in its own
/// transaction, that the term is still its own (<see cref="Leadership.LeaderFence"/>), so a deposed leader can never
/// apply a stale decision.</summary>
public sealed class ControlPlaneLeadershipRecord
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long Term { get; set; }
    public Guid? LeaderId { get; set; }
    public DateTimeOffset Since { get; set; }
}
