using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Control;
using Prometheus;

namespace Octopus.Server.Observability;

/// <summary>Prometheus gauges read from the store at scrape time (so they are never stale), on a registry of this
/// server's own (several servers can live in one test process).</summary>
public sealed class OctopusMetrics
{
    private readonly Gauge _vms, _hosts, _watts, _operations, _pending, _leader, _term, _replicas;

    public OctopusMetrics(CollectorRegistry registry, IServiceScopeFactory scopes, OperationRunner operations, Application.Cluster.ReplicaLeadership leadership,
        TimeProvider time)
    {
        Registry = registry;
        var f = Metrics.WithCustomRegistry(Registry);
        _vms = f.CreateGauge("octopus_vms", "VMs by observed state.", "state");
        _hosts = f.CreateGauge("octopus_hosts", "Hosts by power state.", "power_state");
        _watts = f.CreateGauge("octopus_cluster_power_watts", "Power drawn by all hosts now, from their power models and loads.");
        _operations = f.CreateGauge("octopus_operations_in_flight", "Driver operations running now.");
        _pending = f.CreateGauge("octopus_operations_pending", "Journaled operations waiting for the runner (the dispatch queue's depth).");
        _leader = f.CreateGauge("octopus_leader", "1 when this replica leads the control plane (runs placement, the runner and the loops), else 0.", "replica");
        _term = f.CreateGauge("octopus_leader_term", "The store's leader term (raised by one at each change of leader).");
        _replicas = f.CreateGauge("octopus_replicas", "Server replicas on this store seen within the last 10 s.");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            // Aggregates in SQL: a scrape costs the same with ten VMs or a hundred thousand.
            var states = await db.Vms.AsNoTracking().GroupBy(v => v.State).Select(g => new { State = g.Key, Count = g.Count() })
                .ToDictionaryAsync(x => x.State, x => x.Count, ct);
            foreach (var s in Enum.GetValues<VmState>()) _vms.WithLabels(s.ToString()).Set(states.GetValueOrDefault(s));
            var hosts = await db.Hosts.AsNoTracking().Select(h => new { h.PowerState, h.PowerDraw }).ToListAsync(ct);
            foreach (var p in Enum.GetValues<HostPowerState>()) _hosts.WithLabels(p.ToString()).Set(hosts.Count(h => h.PowerState == p));
            _watts.Set(hosts.Sum(h => h.PowerDraw.Value));
            _operations.Set(operations.InFlight);
            _pending.Set(await db.Operations.AsNoTracking().CountAsync(o => o.Status == OperationStatus.Pending, ct));
            _leader.WithLabels(leadership.ReplicaId.ToString()).Set(leadership.Current is null ? 0 : 1);
            var lead = await db.ControlPlaneLeadership.AsNoTracking().Select(l => (long?)l.Term).FirstOrDefaultAsync(ct);
            _term.Set(lead ?? 0);
            var since = time.GetUtcNow() - Application.Cluster.ClusterQueries.AliveWithin;
            _replicas.Set((await db.Replicas.AsNoTracking().Select(r => r.LastSeenAt).ToListAsync(ct)).Count(t => t >= since));
        });
    }

    public CollectorRegistry Registry { get; }
}
