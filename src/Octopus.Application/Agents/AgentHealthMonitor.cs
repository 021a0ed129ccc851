using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;

using Host = Octopus.Domain.Hosts.Host;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>Marks a host Failed when its agent has not heartbeated for <see cref="AgentOptions.HeartbeatTimeout"/>, and On
/// again when heartbeats resume (journaling the names of its networks, so its DNS catches up at once). On failure its running VMs are marked Failed with the reason, the event is logged and
/// audited (<c>host.failed</c>, listing the VMs), and every <see cref="IHostFailureListener"/> is told.</summary>
public sealed partial class AgentHealthMonitor(AgentRegistry registry, Microsoft.Extensions.Options.IOptions<AgentOptions> settings, IServiceScopeFactory scopes,
    IEnumerable<IHostFailureListener> listeners, TimeProvider time, Cluster.ReplicaLeadership leadership, ILogger<AgentHealthMonitor> log)
    : Cluster.LeaderOnlyService(leadership, log)
{
    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await CheckAsync(stoppingToken); }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
            {
                LogCheckFailed(log, e.Message);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass (public for tests).</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // One read of every agent's liveness: each one's failed flag is set from it and the pass uses what it set. Only a
        // flag that changes is written (a fenced transaction each): not one statement per agent every second.
        var views = new Dictionary<HostId, AgentLiveness>();
        foreach (var stored in registry.Liveness())
        {
            var v = stored with { Failed = now - stored.LastHeard > settings.Value.HeartbeatTimeout };
            if (v.Failed != stored.Failed) registry.SetFailed(v.Record.Id, v.Failed);
            views[new HostId(v.Record.Id)] = v;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var failed = new List<(Host Host, List<VmId> Vms)>();
        var recovered = new List<Host>();
        foreach (var host in await db.Hosts.ToListAsync(ct))
        {
            if (!views.TryGetValue(host.Id, out var view)) continue;
            // A silent host Octopus is switching or switched off is meant to be silent: Off, never Failed.
            if (view.Failed && host.PowerState is HostPowerState.On)
            {
                host.MovePower(HostPowerState.Failed, now);
                var reason = $"host {host.Name} stopped heartbeating (silent for {(now - view.LastHeard).TotalSeconds:0} s)";
                var vms = await db.Vms.Where(v => v.HostId == host.Id).ToListAsync(ct);
                foreach (var vm in vms.Where(v => v.State == VmState.Running)) vm.Fail(reason, now);
                db.Audit.Add(AuditEntry.Record(now, "system", "host.failed", $"host/{host.Name}", true, "failed",
                    $"{reason}; VMs: {(vms.Count == 0 ? "none" : string.Join(", ", vms.Select(v => v.Name.Value)))}"));
                LogHostFailed(log, host.Name, vms.Count, string.Join(", ", vms.Select(v => v.Name.Value)));
                failed.Add((host, vms.Select(v => v.Id).ToList()));
            }
            else if (!view.Failed && host.PowerState == HostPowerState.Failed)
            {
                host.MovePower(HostPowerState.On, now);
                db.Audit.Add(AuditEntry.Record(now, "system", "host.recovered", $"host/{host.Name}", true, "ok", "its agent heartbeats again"));
                // Names it missed while down: published now, not after the rest of a failed publication's backoff.
                await Commands.OperationJournal.RepublishNamesAsync(db, host.Id, "system", now, ct);
                LogHostRecovered(log, host.Name);
                recovered.Add(host);
            }
        }
        if (failed.Count == 0 && recovered.Count == 0) return;
        await db.SaveChangesAsync(ct);
        foreach (var listener in listeners)
        {
            foreach (var (host, vms) in failed) await NotifyAsync(() => listener.HostFailedAsync(host.Id, host.Name, vms, ct));
            foreach (var host in recovered) await NotifyAsync(() => listener.HostRecoveredAsync(host.Id, host.Name, ct));
        }
    }

    private async Task NotifyAsync(Func<Task> call)
    {
        try { await call(); }
        catch (Exception e) { LogListenerFailed(log, e.Message); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "host {Host} marked Failed: its agent stopped heartbeating; {Count} VM(s) on it: {Vms}")]
    private static partial void LogHostFailed(ILogger logger, string host, int count, string vms);

    [LoggerMessage(Level = LogLevel.Information, Message = "host {Host} is back: its agent heartbeats again")]
    private static partial void LogHostRecovered(ILogger logger, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "agent health check failed (retried next second): {Problem}")]
    private static partial void LogCheckFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "a host failure listener threw: {Problem}")]
    private static partial void LogListenerFailed(ILogger logger, string problem);
}
