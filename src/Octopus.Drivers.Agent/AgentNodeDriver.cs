using System.Globalization;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;

namespace Octopus.Drivers.Agent;

/// <summary>One agent host's hypervisor, reached over the signed agent protocol. The agent is given the VM's disk as a
/// file name in the shared storage folder (the spec's paths are under the server's storage folder). Observation comes from
/// heartbeats (and from a status fetched right after each operation, so the control loop never sees a report older than
/// an operation it saw finish). It reads no store and writes no audit: what a migration measured is returned and told to
/// the <see cref="IAgentEventSink"/>.</summary>
public sealed partial class AgentNodeDriver(AgentRecord agent, IAgentDirectory registry, AgentClient client, string storageFolder,
    IAgentEventSink events, TimeProvider time, ILogger log) : INodeDriver, IFirewallDriver, INetworkNamesDriver, ISerialConsoleDriver,
    IGraphicalConsoleDriver
{
    /// <summary>How long the console ticket the driver signs for one connection to an agent lasts: only long enough to
    /// connect, since it is used at once.</summary>
    public static readonly TimeSpan ConsoleTicketLifetime = TimeSpan.FromSeconds(10);

    public string Name => AgentNodeResolver.Name;

    public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct)
    {
        spec.Validate();
        var disk = spec.BootDisk ?? throw new DriverException($"VM {spec.Name} has no disk in the disk tree; it cannot boot.");
        return OperateAsync(spec.Id, "create", new AgentCreateRequest(spec.Name, spec.Geometry.Cores, spec.Geometry.Memory.Bytes, FileOf(disk.ActivePath),
            Wire(spec.Nics, spec.Ingress), Wire(spec.Seed)), ct);
    }

    /// <summary>Starts the VM on the spec's disk: while it was stopped, a snapshot, fork or revert may have frozen the file
    /// its agent last ran it on.</summary>
    public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct)
    {
        spec.Validate();
        return OperateAsync(spec.Id, "start", new AgentStartRequest(spec.BootDisk is { } d ? FileOf(d.ActivePath) : null, Wire(spec.Nics, spec.Ingress) ?? [],
            Wire(spec.Seed)), ct);
    }

    private static AgentSeed? Wire(CloudInitSeed? seed) => seed is null ? null : new AgentSeed(seed.MetaData, seed.UserData, seed.NetworkConfig);

    /// <summary>The spec's NICs on the wire (null when none): the agent makes their taps, leases, names and filters.</summary>
    private static List<AgentNic>? Wire(IReadOnlyList<NicSpec> nics, IReadOnlyList<Domain.Networks.IngressRule>? ingress) =>
        nics.Count == 0 ? null : [.. nics.Select(n => new AgentNic(n.Mac, n.Network, n.Bridge, n.Ip, n.Vlan, n.Subnet, n.Gateway, n.Domain, n.HostName,
            ingress is null ? null : [.. ingress.Select(r => r.ToString())]))];

    /// <summary>The agent records the group on the VM's NICs and re-renders its host's firewall.</summary>
    public Task ApplyIngressAsync(VmId vm, IReadOnlyList<Domain.Networks.IngressRule> ingress, CancellationToken ct) =>
        OperateAsync(vm, "firewall", new AgentFirewallRequest([.. ingress.Select(r => r.ToString())]), ct);

    /// <summary>The agent keeps the network's names and has its dnsmasq for the network answer them.</summary>
    public Task PublishNamesAsync(string network, IReadOnlyList<NetworkHostName> names, CancellationToken ct) =>
        client.SendAsync<AgentOperationResult>(agent, HttpMethod.Post, AgentRoutes.NetworkNames(network),
            new AgentNamesRequest([.. names.Select(n => new AgentName(n.Ip, n.HostName))]), ct);

    public Task StopAsync(VmId vm, CancellationToken ct) => OperateAsync(vm, "stop", null, ct);

    public Task RebootAsync(VmId vm, CancellationToken ct) => OperateAsync(vm, "reboot", null, ct);

    public Task DeleteAsync(VmId vm, CancellationToken ct) => OperateAsync(vm, "delete", null, ct);

    public Task SuspendAsync(VmId vm, CancellationToken ct) => OperateAsync(vm, "suspend", null, ct);

    public Task ResumeAsync(VmId vm, CancellationToken ct) => OperateAsync(vm, "resume", null, ct);

    public Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) =>
        OperateAsync(vm, "switch-disk", new AgentSwitchDiskRequest(FileOf(newActiveDisk)), ct);

    /// <summary>The source agent prepares this one itself (with a server-signed ticket), so this only names the agent.</summary>
    public Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) =>
        Task.FromResult(new MigrationTarget(agent.Host, agent.Url));

    public async Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct)
    {
        var destination = registry.Find(target.Host.Value) ?? throw new DriverException($"host {target.Host} has no registered agent to migrate to.");
        if (destination.Id == agent.Id) return MigrationStats.Unknown;
        var ticket = AgentSignature.Ticket(destination.Secret, vm.Value, time.GetUtcNow().AddMinutes(15));
        AgentMigrationReport? report = null;
        string? error = null;
        await foreach (var e in client.StreamAsync<AgentMigrationEvent>(agent, AgentRoutes.VmOf(vm.Value) + "/migrate",
                           new AgentMigrateRequest(destination.Id, destination.Url, ticket, CopyDisk: false), ct))
        {
            if (e.Progress is { } p) progress?.Report(Math.Clamp(p, 0, 1));
            if (e.Report is not null) report = e.Report;
            if (e.Error is not null) error = e.Error;
        }
        await RefreshAsync(agent, ct);
        await RefreshAsync(destination, ct);
        if (report is null)
            throw new DriverException(error ?? $"host {agent.Name}'s agent ended the migration of VM {vm} without a result; it keeps running on {agent.Name}.");
        LogMigrated(log, vm.ToString(), agent.Name, destination.Name, report.TotalMs, report.DowntimeMs);
        await events.MigrationMeasuredAsync(new AgentMigrationMeasured(vm, agent.Name, destination.Name, report), ct);
        return new MigrationStats(TimeSpan.FromMilliseconds(report.TotalMs), TimeSpan.FromMilliseconds(report.DowntimeMs));
    }

    public async Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct)
    {
        var answer = await client.SendAsync<AgentConsoleResponse>(agent, HttpMethod.Get,
            $"{AgentRoutes.VmOf(vm.Value)}/console?maxBytes={maxBytes.ToString(CultureInfo.InvariantCulture)}", null, ct);
        return answer.Text;
    }

    /// <summary>The VM's serial port through its agent's console WebSocket.</summary>
    public Task<Stream> OpenSerialAsync(VmId vm, string user, CancellationToken ct) => client.OpenConsoleAsync(agent, vm.Value, "serial", user, ConsoleTicketLifetime, ct);

    /// <summary>The VM's screen (RFB) through its agent's console WebSocket.</summary>
    public Task<Stream> OpenGraphicalAsync(VmId vm, string user, CancellationToken ct) => client.OpenConsoleAsync(agent, vm.Value, "vnc", user, ConsoleTicketLifetime, ct);

    /// <summary>What the agent's last report says (the store's copy, whichever replica received it). A live agent with no
    /// report yet (registered, its first heartbeat still on its way) is asked for its status now; "no report" is not "no
    /// VMs", which the telemetry pass would take for VMs that vanished and mark Failed. An agent that does not answer is a
    /// <see cref="DriverException"/>: its host is not observed this time.</summary>
    public async Task<NodeObservation> ObserveAsync(CancellationToken ct)
    {
        var view = registry.View(agent.Id)
            ?? throw new DriverException($"host {agent.Name} has no registered agent.");
        if (!view.Failed && view.Last is null)
        {
            registry.ApplyFresh(agent.Id, await client.SendAsync<AgentStatus>(agent, HttpMethod.Get, AgentRoutes.Status, null, ct));
            view = registry.View(agent.Id) ?? throw new DriverException($"host {agent.Name} has no registered agent.");
        }
        var vms = view.Failed || view.Last is null ? [] : view.Last.Vms.Select(v =>
            new VmObservation(new VmId(v.Vm), v.Running, v.State == "paused", v.CpuLoad, v.Figures is { } f
                ? new VmFigures(v.RssBytes, f.DiskReadBytesPerSecond, f.DiskWriteBytesPerSecond, f.NetReceiveBytesPerSecond, f.NetTransmitBytesPerSecond)
                : null)).ToList();
        return new NodeObservation(agent.Host, view.Failed ? HostPowerState.Failed : HostPowerState.On,
            view.Failed ? 0 : view.Last?.CpuLoad ?? 0, vms);
    }

    private string FileOf(string path)
    {
        var relative = Path.GetRelativePath(storageFolder, Path.GetFullPath(path));
        if (relative != Path.GetFileName(relative))
            throw new DriverException($"the disk {path} must be a file directly in the shared storage folder {storageFolder}.");
        return relative;
    }

    private async Task OperateAsync(VmId vm, string operation, object? body, CancellationToken ct)
    {
        await client.SendAsync<AgentOperationResult>(agent, HttpMethod.Post, $"{AgentRoutes.VmOf(vm.Value)}/{operation}", body ?? new { }, ct);
        await RefreshAsync(agent, ct);
    }

    /// <summary>Fetches the agent's status right after an operation, so telemetry reflects it at once.</summary>
    private async Task RefreshAsync(AgentRecord of, CancellationToken ct)
    {
        try
        {
            registry.ApplyFresh(of.Id, await client.SendAsync<AgentStatus>(of, HttpMethod.Get, AgentRoutes.Status, null, ct));
        }
        catch (DriverException e)
        {
            LogRefreshFailed(log, of.Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "VM {Vm} live-migrated {Source} -> {Target}: total {TotalMs} ms, downtime {DowntimeMs} ms")]
    private static partial void LogMigrated(ILogger logger, string vm, string source, string target, double totalMs, double downtimeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not refresh host {Host}'s status after an operation: {Problem}")]
    private static partial void LogRefreshFailed(ILogger logger, string host, string problem);
}

/// <summary>Every registered agent's host has a node driver; a host without one is refused with what to do.</summary>
public sealed class AgentNodeResolver(IAgentDirectory registry, AgentClient client, AgentStorage storage, IAgentEventSink events,
    TimeProvider time, ILogger<AgentNodeDriver> log) : INodeDriverResolver
{
    public const string Name = "qemu";

    public string DriverName => Name;

    public INodeDriver For(HostId host)
    {
        if (!storage.Qcow2)
            throw new DriverException("the qemu driver needs qcow2 disks on shared storage: set Octopus:Storage:Backend to qemu-img.");
        var agent = registry.Find(host.Value) ?? throw new DriverException($"host {host} has no registered agent; start its agent first.");
        return new AgentNodeDriver(agent, registry, client, storage.Folder, events, time, log);
    }
}

/// <summary>The shared storage folder agents find disks in, and whether its disks are qcow2 (the qemu-img backend),
/// which the agents' QEMUs need.</summary>
public sealed record AgentStorage(string Folder, bool Qcow2);

/// <summary>Agent hosts cannot be switched on remotely (there is no BMC integration): power-on succeeds only when the
/// host's agent is already heartbeating, power-off is refused.</summary>
public sealed class AgentPowerDriver(IAgentDirectory registry) : IHostPowerDriver, IPowerDriverResolver
{
    public IHostPowerDriver For(HostId host) => this;

    public Task PowerOnAsync(HostId host, CancellationToken ct)
    {
        var view = registry.View(host.Value);
        if (view is { Failed: false }) return Task.CompletedTask;
        throw new DriverException($"host {view?.Record.Name ?? host.ToString()} cannot be powered on by Octopus (no BMC/IPMI integration): start the machine and its agent; it rejoins by itself.");
    }

    public Task PowerOffAsync(HostId host, CancellationToken ct) =>
        throw new DriverException($"host {registry.Find(host.Value)?.Name ?? host.ToString()} runs an Octopus agent; Octopus does not power real machines off (no BMC/IPMI integration). Use maintenance to drain it, then shut it down yourself.");
}

/// <summary>What an agent's live migration measured, as QEMU reported it.</summary>
public sealed record AgentMigrationMeasured(VmId Vm, string Source, string Destination, AgentMigrationReport Report);

/// <summary>Where the agent driver tells what the server should record (it writes nothing itself).</summary>
public interface IAgentEventSink
{
    Task MigrationMeasuredAsync(AgentMigrationMeasured measured, CancellationToken ct);
}
