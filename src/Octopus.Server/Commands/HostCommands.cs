using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Persistence;
using Octopus.Server.Auth;
using Octopus.Server.Control;

using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Server.Commands;

/// <summary>What administrators ask of hosts.</summary>
public sealed class HostCommands(OctopusDbContext db, CommandRunner runner, ControlSignal signal)
{
    /// <summary>Maintenance on: no new VM is placed on the host. Off: it accepts VMs again.</summary>
    public async Task<Host> SetMaintenanceAsync(Caller caller, string idOrName, bool on, CancellationToken ct)
    {
        var host = await runner.RunAsync(caller, "host.maintenance", $"host/{idOrName}", async ct =>
        {
            caller.EnsureAdmin("change maintenance mode");
            var host = await FindAsync(db, idOrName, ct);
            host.SetMaintenance(on);
            return host;
        }, ct, h => h.Maintenance ? "maintenance on" : "maintenance off");
        signal.Wake();
        return host;
    }

    public static async Task<Host> FindAsync(OctopusDbContext db, string idOrName, CancellationToken ct)
    {
        if (HostId.TryParse(idOrName, out var id))
            return await db.Hosts.FirstOrDefaultAsync(h => h.Id == id, ct) ?? throw DomainException.NotFound("Host", idOrName);
        return await db.Hosts.FirstOrDefaultAsync(h => h.Name == idOrName, ct) ?? throw DomainException.NotFound("Host", idOrName);
    }
}
