using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Drivers;
using Octopus.Persistence;

namespace Octopus.Application.Power;

/// <summary>Asks the BMC of each powered-on host with an IPMI or Redfish binding what the host draws (IPMI DCMI power
/// reading, Redfish PowerControl), at most once per interval per host, and records it on the host in the store
/// (<see cref="Octopus.Domain.Hosts.Host.MeasuredDraw"/>): the host's watts, the power history and the consolidation figures then use the
/// measurement instead of the power model. A BMC that reports nothing, fails or times out leaves the model in use
/// until its next reading; a host whose binding no longer has a BMC loses its old measurement. Reading is not a side
/// effect on the host, so it is not journaled.</summary>
public sealed partial class BmcReadingPass(OctopusDbContext db, IPowerDriverResolver power, TimeProvider time, ILogger<BmcReadingPass> log)
{
    /// <summary>How long one BMC may take to answer before its reading counts as failed.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Reads every bound, powered-on host not read within <paramref name="interval"/>; returns how many were asked.</summary>
    public async Task<int> RunAsync(TimeSpan interval, CancellationToken ct)
    {
        var bindings = await db.PowerBindings.AsNoTracking().Select(b => new { b.HostId, b.Method, b.Fallback }).ToListAsync(ct);
        var bound = bindings.Where(b => HasBmc(b.Method) || PowerConfigCommands.SplitFallback(b.Fallback).Any(HasBmc))
            .Select(b => b.HostId).ToList();
        var hosts = await db.Hosts.Where(h => bound.Contains(h.Id) || h.MeasuredDraw != null).ToListAsync(ct);
        var asked = 0;
        foreach (var host in hosts)
        {
            if (!bound.Contains(host.Id))
            {
                host.ObserveMeasuredDraw(null, time.GetUtcNow());
                continue;
            }
            if (host.PowerState != HostPowerState.On) continue;
            if (host.MeasuredAt is { } at && time.GetUtcNow() - at < interval) continue;
            Watts? watts = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ReadTimeout);
            try
            {
                watts = await power.For(host.Id).ReadPowerAsync(host.Id, timeout.Token);
                if (watts is { } w && (double.IsNaN(w.Value) || w.Value < 0)) watts = null;
            }
            catch (DriverException e)
            {
                LogReadFailed(log, host.Name, e.Message);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                LogReadFailed(log, host.Name, $"the BMC did not answer within {ReadTimeout.TotalSeconds:0} s");
            }
            host.ObserveMeasuredDraw(watts, time.GetUtcNow());
            asked++;
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { /* a command changed a host meanwhile; its next reading comes next interval */ }
        return asked;
    }

    private static bool HasBmc(PowerMethod m) => m is PowerMethod.Ipmi or PowerMethod.Redfish;

    [LoggerMessage(Level = LogLevel.Warning, Message = "power reading of host {Host} failed (the power model is used meanwhile): {Problem}")]
    private static partial void LogReadFailed(ILogger logger, string host, string problem);
}

/// <summary>Runs <see cref="BmcReadingPass"/> every few seconds (each host is still asked at most once per
/// <c>Octopus:Scheduler:PowerReadingInterval</c>), apart from the control loop so a slow BMC never delays placement.</summary>
public sealed partial class BmcReadingLoop(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<Configuration.SchedulerOptions> options, TimeProvider time,
    Cluster.ReplicaLeadership leadership, ILogger<BmcReadingLoop> log) : Cluster.LeaderOnlyService(leadership, log)
{
    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var tick = settings.PowerReadingInterval < TimeSpan.FromSeconds(5) ? settings.PowerReadingInterval : TimeSpan.FromSeconds(5);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<BmcReadingPass>().RunAsync(settings.PowerReadingInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) { LogPassFailed(log, e); }
            try { await Task.Delay(tick, time, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "BMC power reading pass failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception e);
}
