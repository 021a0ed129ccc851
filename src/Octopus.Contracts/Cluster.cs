namespace Octopus.Contracts;

/// <summary><c>GET /api/v1/cluster</c> (admin): the control plane's server replicas on this store, which one leads, its
/// term (raised by one at each change of leader) and since when. <see cref="Self"/> is the replica that answered.</summary>
public sealed record ClusterDto(string Store, long Term, Guid? LeaderId, DateTimeOffset? LeaderSince, Guid Self, IReadOnlyList<ReplicaDto> Replicas);

/// <summary>One <c>octopus serve</c> process: where it listens, when it started and was last seen (every second while it
/// runs); <see cref="Alive"/> when seen within the last 10 s; <see cref="Leader"/> for the one that holds the term.</summary>
public sealed record ReplicaDto(Guid Id, string Address, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, bool Alive, bool Leader);
