using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Persistence;

namespace Octopus.Application.Queries;

/// <summary>The counts the health check answers with: hosts, hosts that are on, VMs. Counted in SQL (one row for the
/// hosts, one for the VMs), so a probe costs the same with 10 hosts or 10,000; it is polled often, under load too.</summary>
public sealed record ClusterCounts(int Hosts, int HostsOn, int Vms)
{
    public static async Task<ClusterCounts> ReadAsync(OctopusDbContext db, CancellationToken ct)
    {
        // Grouped by a constant: one aggregate row, none when there are no hosts.
        var hosts = await db.Hosts.AsNoTracking().GroupBy(_ => 1)
            .Select(g => new { All = g.Count(), On = g.Count(h => h.PowerState == HostPowerState.On) })
            .FirstOrDefaultAsync(ct);
        return new ClusterCounts(hosts?.All ?? 0, hosts?.On ?? 0, await db.Vms.CountAsync(ct));
    }
}
