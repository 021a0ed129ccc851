using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Control;
using Host = Octopus.Domain.Hosts.Host;

namespace Octopus.Application.Commands;

/// <summary>What administrators ask of hosts: maintenance mode and power.</summary>
public sealed class HostCommands(OctopusDbContext db, CommandRunner runner, IControlSignal signal, TimeProvider time)
{
    /// <summary>Maintenance on: no new VM is placed on the host and its running VMs are live-migrated away by the
    /// control loop as room allows. Off: it accepts VMs again.</summary>
    public async Task<Host> SetMaintenanceAsync(Caller caller, string idOrName, bool on, CancellationToken ct)
    {
        var host = await runner.RunAsync(caller, Permissions.HostMaintenance, $"host/{idOrName}", async ct =>
        {
            var host = await FindAsync(db, idOrName, ct);
            host.SetMaintenance(on);
            return host;
        }, ct, h => h.Maintenance ? "maintenance on" : "maintenance off");
        signal.Wake();
        return host;
    }

    /// <summary>Powers an Off (or Failed) host on; it accepts VMs once On.</summary>
    public Task<Host> PowerOnAsync(Caller caller, string idOrName, CancellationToken ct) =>
        PowerAsync(caller, idOrName, Permissions.HostPowerOn, on: true, (host, now) =>
        {
            if (host.PowerState is HostPowerState.On or HostPowerState.PoweringOn) return false;
            if (host.PowerState is HostPowerState.PoweringOff)
                throw DomainException.Conflict("host.busy", $"Host '{host.Name}' is powering off; power it on once it is Off.");
            if (host.PowerState is HostPowerState.Failed) host.MovePower(HostPowerState.Off, now);
            return true;
        }, ct);

    /// <summary>Powers an empty host off. Refused while any VM (running or stopped) is on it: evacuate it first.</summary>
    public Task<Host> PowerOffAsync(Caller caller, string idOrName, CancellationToken ct) =>
        PowerAsync(caller, idOrName, Permissions.HostPowerOff, on: false, (host, now) =>
        {
            if (host.PowerState is HostPowerState.Off or HostPowerState.PoweringOff) return false;
            if (host.PowerState is not HostPowerState.On)
                throw DomainException.Conflict("host.busy", $"Host '{host.Name}' is {host.PowerState}; only an On host can be powered off.");
            var held = db.Vms.Where(v => v.HostId == host.Id).Select(v => v.Name).ToList();
            if (held.Count > 0)
                throw DomainException.Conflict("host.not-empty",
                    $"Host '{host.Name}' still holds {held.Count} VM(s) ({string.Join(", ", held.Take(5).Select(n => n.Value))}{(held.Count > 5 ? ", …" : "")}); " +
                    "put it in maintenance to move them away, or delete them, then power it off.");
            return true;
        }, ct);

    /// <summary><paramref name="wanted"/> checks the host and says whether the change is needed (false: already so).</summary>
    private async Task<Host> PowerAsync(Caller caller, string idOrName, Permission action, bool on, Func<Host, DateTimeOffset, bool> wanted, CancellationToken ct)
    {
        var host = await runner.RunAsync(caller, action, $"host/{idOrName}", async ct =>
        {
            var host = await FindAsync(db, idOrName, ct);
            var now = time.GetUtcNow();
            if (wanted(host, now)) OperationJournal.BeginPowerChange(db, host, on, caller.Name, now);
            return host;
        }, ct, h => $"now {h.PowerState}");
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
