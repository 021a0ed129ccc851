using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Server.Control;
using Prometheus;

namespace Octopus.Server.Observability;

/// <summary>Prometheus gauges read from the store at scrape time (so they are never stale), on a registry of this
/// server's own (several servers can live in one test process).</summary>
public sealed class OctopusMetrics
{
    private readonly Gauge _vms, _hosts, _watts, _operations;

    public OctopusMetrics(IServiceScopeFactory scopes, OperationRunner operations)
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _vms = f.CreateGauge("octopus_vms", "VMs by observed state.", "state");
        _hosts = f.CreateGauge("octopus_hosts", "Hosts by power state.", "power_state");
        _watts = f.CreateGauge("octopus_cluster_power_watts", "Power drawn by all hosts now, from their power models and loads.");
        _operations = f.CreateGauge("octopus_operations_in_flight", "Driver operations running now.");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var states = await db.Vms.AsNoTracking().Select(v => v.State).ToListAsync(ct);
            foreach (var s in Enum.GetValues<VmState>()) _vms.WithLabels(s.ToString()).Set(states.Count(x => x == s));
            var hosts = await db.Hosts.AsNoTracking().ToListAsync(ct);
            foreach (var p in Enum.GetValues<HostPowerState>()) _hosts.WithLabels(p.ToString()).Set(hosts.Count(h => h.PowerState == p));
            _watts.Set(hosts.Sum(h => h.PowerDraw.Value));
            _operations.Set(operations.InFlight);
        });
    }

    public CollectorRegistry Registry { get; }
}
