using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts.Agents;
using Octopus.Disks.Services;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Server.Disks;

namespace Octopus.Server.Agents;

/// <summary>The server's driver when VMs run on real hosts: every host is a registered agent, every call goes to the
/// agent holding the VM over the signed agent protocol. Telemetry comes from heartbeats (and from a status fetched right
/// after each operation, so the control loop never sees a report older than an operation it saw finish). Disks come from
/// the disk tree on the shared storage folder: the agent is given the VM's active disk file name.</summary>
public sealed partial class AgentClusterDriver(AgentRegistry registry, AgentClient client, DiskServices disks, StorageSettings storage,
    IServiceScopeFactory scopes, TimeProvider time, ILogger<AgentClusterDriver> log)
    : IVmLifecycleDriver, IHostPowerDriver, IClusterTelemetry, IVmConsoleDriver, ILiveDiskDriver, IVmSuspendDriver
{
    public string Name => "qemu";

    // ------------------------------------------------------------------ lifecycle

    public async Task CreateAsync(VmRuntimeSpec spec, HostId host, CancellationToken ct)
    {
        var agent = registry.Find(host.Value) ?? throw new DriverException($"host {host} has no registered agent; start its agent first.");
        if (storage.Backend != StorageBackendKind.QemuImg)
            throw new DriverException("the qemu driver needs qcow2 disks on shared storage: set Octopus:Storage:Backend to qemu-img.");
        var active = await VmDisks.ActiveAsync(disks, spec.Id, ct)
            ?? throw new DriverException($"VM {spec.Name} has no disk in the disk tree; it cannot boot.");
        await OperateAsync(agent, spec.Id, "create",
            new AgentCreateRequest(spec.Name, spec.Geometry.Cores, spec.Geometry.Memory.Bytes, active.Disk.Id.FileName), ct);
    }

    /// <summary>Starts the VM on the disk the catalog says is its active leaf: while it was stopped, a snapshot, fork or
    /// revert may have frozen the file its agent last ran it on.</summary>
    public async Task StartAsync(VmId vm, CancellationToken ct)
    {
        var agent = await LocateAsync(vm, ct);
        var active = await VmDisks.ActiveAsync(disks, vm, ct);
        await OperateAsync(agent, vm, "start", new AgentStartRequest(active?.Disk.Id.FileName), ct);
    }

    public async Task StopAsync(VmId vm, CancellationToken ct) => await OperateAsync(await LocateAsync(vm, ct), vm, "stop", null, ct);

    public async Task RebootAsync(VmId vm, CancellationToken ct) => await OperateAsync(await LocateAsync(vm, ct), vm, "reboot", null, ct);

    public async Task DeleteAsync(VmId vm, CancellationToken ct)
    {
        var agent = registry.HolderOf(vm) ?? await StoredHostAsync(vm, ct);
        if (agent is null) return; // never reached an agent: nothing to remove
        await OperateAsync(agent, vm, "delete", null, ct);
    }

    public async Task MigrateAsync(VmId vm, HostId destination, IProgress<double>? progress, CancellationToken ct)
    {
        var source = await LocateAsync(vm, ct);
        var target = registry.Find(destination.Value) ?? throw new DriverException($"host {destination} has no registered agent to migrate to.");
        if (target.Id == source.Id) return; // already there (a replayed migration)
        var ticket = AgentSignature.Ticket(target.Secret, vm.Value, time.GetUtcNow().AddMinutes(15));
        AgentMigrationReport? report = null;
        string? error = null;
        await foreach (var e in client.StreamAsync<AgentMigrationEvent>(source, AgentRoutes.VmOf(vm.Value) + "/migrate",
                           new AgentMigrateRequest(target.Id, target.Url, ticket, CopyDisk: false), ct))
        {
            if (e.Progress is { } p) progress?.Report(Math.Clamp(p, 0, 1));
            if (e.Report is not null) report = e.Report;
            if (e.Error is not null) error = e.Error;
        }
        await RefreshAsync(source, ct);
        await RefreshAsync(target, ct);
        if (report is null)
            throw new DriverException(error ?? $"host {source.Name}'s agent ended the migration of VM {vm} without a result; it keeps running on {source.Name}.");
        LogMigrated(log, vm.ToString(), source.Name, target.Name, report.TotalMs, report.DowntimeMs);
        await AuditAsync("vm.migrate.measured", $"vm/{vm}", string.Create(CultureInfo.InvariantCulture,
            $"{source.Name} -> {target.Name}: total {report.TotalMs:0} ms, downtime {report.DowntimeMs:0} ms, RAM sent {report.RamTransferred} B, wall {report.WallMs:0} ms"), ct);
    }

    // ------------------------------------------------------------------ capabilities

    public async Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct)
    {
        var agent = await LocateAsync(vm, ct);
        var answer = await client.SendAsync<AgentConsoleResponse>(agent, HttpMethod.Get,
            $"{AgentRoutes.VmOf(vm.Value)}/console?maxBytes={maxBytes.ToString(CultureInfo.InvariantCulture)}", null, ct);
        return answer.Text;
    }

    public async Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct)
    {
        var relative = Path.GetRelativePath(storage.Folder, Path.GetFullPath(newActiveDisk));
        if (relative != Path.GetFileName(relative))
            throw new DriverException($"the new disk {newActiveDisk} must be a file directly in the shared storage folder {storage.Folder}.");
        await OperateAsync(await LocateAsync(vm, ct), vm, "switch-disk", new AgentSwitchDiskRequest(relative), ct);
    }

    public async Task SuspendAsync(VmId vm, CancellationToken ct) => await OperateAsync(await LocateAsync(vm, ct), vm, "suspend", null, ct);

    public async Task ResumeAsync(VmId vm, CancellationToken ct) => await OperateAsync(await LocateAsync(vm, ct), vm, "resume", null, ct);

    // ------------------------------------------------------------------ hosts

    /// <summary>Agent hosts cannot be switched on remotely (there is no BMC integration): succeeds only when the host's
    /// agent is already heartbeating.</summary>
    public Task PowerOnAsync(HostId host, CancellationToken ct)
    {
        var view = registry.Views().FirstOrDefault(v => v.Record.Id == host.Value);
        if (view is { Failed: false }) return Task.CompletedTask;
        throw new DriverException($"host {view?.Record.Name ?? host.ToString()} cannot be powered on by Octopus (no BMC/IPMI integration): start the machine and its agent; it rejoins by itself.");
    }

    /// <summary>Refused: powering off a real machine from here is not supported.</summary>
    public Task PowerOffAsync(HostId host, CancellationToken ct) =>
        throw new DriverException($"host {registry.Find(host.Value)?.Name ?? host.ToString()} runs an Octopus agent; Octopus does not power real machines off (no BMC/IPMI integration). Use maintenance to drain it, then shut it down yourself.");

    public Task<ClusterObservation> ObserveAsync(CancellationToken ct)
    {
        var hosts = new List<HostObservation>();
        var vms = new List<VmObservation>();
        foreach (var a in registry.Views())
        {
            hosts.Add(new HostObservation(a.Record.Host, a.Failed ? HostPowerState.Failed : HostPowerState.On, a.Failed ? 0 : a.Last?.CpuLoad ?? 0));
            if (a.Failed || a.Last is null) continue;
            foreach (var v in a.Last.Vms) vms.Add(new VmObservation(new VmId(v.Vm), a.Record.Host, v.Running, v.CpuLoad));
        }
        return Task.FromResult(new ClusterObservation(hosts, vms));
    }

    // ------------------------------------------------------------------ helpers

    private async Task OperateAsync(AgentRecord agent, VmId vm, string operation, object? body, CancellationToken ct)
    {
        await client.SendAsync<AgentOperationResult>(agent, HttpMethod.Post, $"{AgentRoutes.VmOf(vm.Value)}/{operation}", body ?? new { }, ct);
        await RefreshAsync(agent, ct);
    }

    /// <summary>Fetches the agent's status right after an operation, so telemetry reflects it at once.</summary>
    private async Task RefreshAsync(AgentRecord agent, CancellationToken ct)
    {
        try
        {
            registry.ApplyFresh(agent.Id, await client.SendAsync<AgentStatus>(agent, HttpMethod.Get, AgentRoutes.Status, null, ct));
        }
        catch (DriverException e)
        {
            LogRefreshFailed(log, agent.Name, e.Message);
        }
    }

    private async Task<AgentRecord> LocateAsync(VmId vm, CancellationToken ct) =>
        registry.HolderOf(vm) ?? await StoredHostAsync(vm, ct)
        ?? throw new DriverException($"VM {vm} is on no registered agent's host.");

    private async Task<AgentRecord?> StoredHostAsync(VmId vm, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var host = await db.Vms.AsNoTracking().Where(v => v.Id == vm).Select(v => v.HostId).FirstOrDefaultAsync(ct);
        return host is { } h ? registry.Find(h.Value) : null;
    }

    private async Task AuditAsync(string action, string target, string details, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), "system", action, target, true, "ok", details));
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "VM {Vm} live-migrated {Source} -> {Target}: total {TotalMs} ms, downtime {DowntimeMs} ms")]
    private static partial void LogMigrated(ILogger logger, string vm, string source, string target, double totalMs, double downtimeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not refresh host {Host}'s status after an operation: {Problem}")]
    private static partial void LogRefreshFailed(ILogger logger, string host, string problem);
}
