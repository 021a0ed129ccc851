using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Cluster;

/// <summary>The control plane as the store records it: replicas, the term and its leader.</summary>
public sealed class ClusterQueries(OctopusDbContext db, ReplicaLeadership leadership, TimeProvider time)
{
    /// <summary>A replica seen within this long is alive (it touches its row every second).</summary>
    public static readonly TimeSpan AliveWithin = TimeSpan.FromSeconds(10);

    public async Task<ClusterDto> GetAsync(CancellationToken ct)
    {
        var lead = await db.ControlPlaneLeadership.AsNoTracking().FirstOrDefaultAsync(l => l.Id == ControlPlaneLeadershipRecord.SingletonId, ct);
        var now = time.GetUtcNow();
        var replicas = (await db.Replicas.AsNoTracking().ToListAsync(ct))
            .OrderBy(r => r.StartedAt).ThenBy(r => r.Id)
            .Select(r => new ReplicaDto(r.Id, r.Address, r.StartedAt, r.LastSeenAt, now - r.LastSeenAt <= AliveWithin, r.Id == lead?.LeaderId))
            .ToList();
        return new ClusterDto(db.Provider.Name, lead?.Term ?? 0, lead?.LeaderId, lead?.Since, leadership.ReplicaId, replicas);
    }
}
