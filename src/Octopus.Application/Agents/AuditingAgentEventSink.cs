using System.Globalization;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>Records each measured agent migration as an audit entry (<c>vm.migrate.measured</c>).</summary>
public sealed class AuditingAgentEventSink(IServiceScopeFactory scopes, TimeProvider time) : IAgentEventSink
{
    public async Task MigrationMeasuredAsync(AgentMigrationMeasured m, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.OctopusDbContext>();
        var r = m.Report;
        db.Audit.Add(Domain.Auditing.AuditEntry.Record(time.GetUtcNow(), "system", "vm.migrate.measured", $"vm/{m.Vm}", true, "ok",
            string.Create(CultureInfo.InvariantCulture,
                $"{m.Source} -> {m.Destination}: total {r.TotalMs:0} ms, downtime {r.DowntimeMs:0} ms, RAM sent {r.RamTransferred} B, wall {r.WallMs:0} ms")));
        await db.SaveChangesAsync(ct);
    }
}
