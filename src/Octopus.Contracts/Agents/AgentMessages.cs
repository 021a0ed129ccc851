#pragma warning disable CS1573 // record docs name only the parameters that need words

namespace Octopus.Contracts.Agents;

/// <summary>Routes of the agent protocol. Server side: registration and heartbeats. Agent side: the operations the server
/// (and, for migrations, another agent) asks an agent to do.</summary>
public static class AgentRoutes
{
    public const string Register = "/api/v1/agents/register";
    public const string Heartbeat = "/api/v1/agents/{id}/heartbeat";

    public static string HeartbeatOf(Guid agent) => $"/api/v1/agents/{agent:D}/heartbeat";

    public const string AgentBase = "/agent/v1";
    public const string Status = AgentBase + "/status";
    public const string Vm = AgentBase + "/vms/{id}";

    public static string VmOf(Guid vm) => $"{AgentBase}/vms/{vm:D}";
    /// <summary>A VM's console on its agent, as a WebSocket (<paramref name="kind"/> serial or vnc), authorised by a
    /// console ticket in <see cref="AgentSignature.ConsoleTicketHeader"/>.</summary>
    public static string VmConsoleOf(Guid vm, string kind) => $"{AgentBase}/vms/{vm:D}/console/{Uri.EscapeDataString(kind)}";
    public static string NetworkNames(string network) => $"{AgentBase}/networks/{Uri.EscapeDataString(network)}/names";
}

/// <summary>Body of <c>POST /api/v1/agents/register</c>, sent with <c>Authorization: Bearer JOIN-TOKEN</c>.</summary>
/// <param name="Name">Host name (lower-case letters, digits, '-').</param>
/// <param name="Url">Where the server reaches the agent, e.g. http://127.0.0.1:7001.</param>
public sealed record AgentRegisterRequest(string Name, string Url, int Cores, long MemoryBytes, long DiskBytes);

/// <summary>What registration returns: the agent's id (its host id) and its secret. The secret signs every later request
/// in both directions (see <see cref="AgentSignature"/>); a new registration replaces it.</summary>
public sealed record AgentRegisterResponse(Guid AgentId, string Secret, string HostName);

/// <summary>One VM as its agent sees it.</summary>
/// <param name="State">QEMU's run state: running, paused, stopped, ...</param>
/// <param name="CpuLoad">Fraction of the VM's vCPUs busy since the previous report.</param>
public sealed record AgentVmStatus(Guid Vm, string State, bool Running, double CpuLoad, long RssBytes, AgentVmFigures? Figures = null);

/// <summary>A running VM's disk and network rates as its agent measured them since its previous report, bytes per second
/// (network as the guest sees it: received, transmitted). Absent from an older agent's report.</summary>
public sealed record AgentVmFigures(double DiskReadBytesPerSecond, double DiskWriteBytesPerSecond, double NetReceiveBytesPerSecond,
    double NetTransmitBytesPerSecond);

/// <summary>An agent's report (heartbeat body, and the answer of <c>GET /agent/v1/status</c>).</summary>
/// <param name="Sequence">Strictly increasing per registration: the server refuses a heartbeat that is not newer than the last.</param>
/// <param name="Generation">Counts the agent's finished operations; read before the VM list is built, so the server can
/// tell a report that may predate an operation it already saw finish.</param>
/// <param name="CpuLoad">Busy fraction of the host's processors (the VMs' QEMU processes).</param>
public sealed record AgentStatus(long Sequence, long Generation, double CpuLoad, IReadOnlyList<AgentVmStatus> Vms);

/// <summary>Answer of every operation: the agent's generation once the operation finished.</summary>
public sealed record AgentOperationResult(long Generation);

/// <summary>One NIC of a VM as the server's runtime spec gives it (eth0 first): the agent makes its tap on the bridge,
/// serves its static lease and name, and filters it (anti-spoofing and the VM's security group).</summary>
/// <param name="Subnet">The network's subnet in CIDR form; with <paramref name="Gateway"/> and <paramref name="Domain"/>
/// what the node needs to serve DHCP and DNS on the bridge.</param>
/// <param name="HostName">The NIC's name in <paramref name="Domain"/>; null means the VM's name.</param>
/// <param name="Ingress">The VM's security group, one rule per line in the form <c>PROTOCOL PORTS SOURCE</c> (e.g.
/// <c>tcp 22 10.0.0.0/8</c>, <c>icmp - 0.0.0.0/0</c>); empty admits no new connection, null admits everything.</param>
public sealed record AgentNic(string Mac, string Network, string Bridge, string? Ip, int? Vlan, string? Subnet, string? Gateway, string? Domain,
    string? HostName = null, IReadOnlyList<string>? Ingress = null);

/// <summary>Body of <c>POST /agent/v1/vms/{id}/firewall</c>: the VM's security group changed (same rule form as
/// <see cref="AgentNic.Ingress"/>); every NIC of the VM takes it at once.</summary>
public sealed record AgentFirewallRequest(IReadOnlyList<string> Ingress);

/// <summary>Body of <c>POST /agent/v1/networks/{name}/names</c>: every NIC's name on the network (on any host); the agent's
/// DNS for the network answers them besides its own NICs, replacing the list it had.</summary>
public sealed record AgentNamesRequest(IReadOnlyList<AgentName> Names);

/// <summary>One name on a network: <c>HostName.DOMAIN</c> ↔ <c>Ip</c>.</summary>
public sealed record AgentName(string Ip, string HostName);

/// <summary>Body of <c>POST /agent/v1/vms/{id}/create</c>.</summary>
/// <param name="DiskFile">The VM's active disk: a file name inside the agent's shared storage folder.</param>
/// <param name="Nics">The VM's NICs; null or empty for none.</param>
/// <param name="Seed">The cloud-init NoCloud seed the agent attaches as a read-only disk; null for none.</param>
public sealed record AgentCreateRequest(string Name, int Cores, long MemoryBytes, string DiskFile, IReadOnlyList<AgentNic>? Nics = null,
    AgentSeed? Seed = null);

/// <summary>A cloud-init NoCloud seed on the wire: the files the agent writes to the VM's seed disk (label cidata).</summary>
public sealed record AgentSeed(string MetaData, string UserData, string? NetworkConfig = null);

/// <summary>Body of <c>POST /agent/v1/vms/{id}/start</c>.</summary>
/// <param name="DiskFile">The VM's active disk as the server's disk catalog knows it (a file name inside the agent's shared
/// storage folder). A stopped VM's disk may have changed while it was down (snapshot, fork, revert are done on the files):
/// the agent boots on this disk and records it in the VM's spec. Null keeps the disk the agent knows.</param>
/// <param name="Nics">The VM's NICs as the store has them now (a stopped VM takes them); null keeps the ones the agent knows.</param>
/// <param name="Seed">The cloud-init seed as the server makes it now; with <paramref name="DiskFile"/> given, a stopped VM
/// takes it (null: none).</param>
public sealed record AgentStartRequest(string? DiskFile, IReadOnlyList<AgentNic>? Nics = null, AgentSeed? Seed = null);

/// <summary>Body of <c>POST /agent/v1/vms/{id}/switch-disk</c>: continue on a new qcow2 child of the current disk.</summary>
/// <param name="NewDiskFile">File name inside the agent's shared storage folder; must not exist yet.</param>
public sealed record AgentSwitchDiskRequest(string NewDiskFile);

/// <summary>Answer of <c>GET /agent/v1/vms/{id}/console?maxBytes=N</c>.</summary>
public sealed record AgentConsoleResponse(string Text);

/// <summary>Body of <c>POST /agent/v1/vms/{id}/migrate</c>: live-migrate to another agent.</summary>
/// <param name="Ticket">Signed by the server with the destination's secret (<see cref="AgentSignature.Ticket"/>); the
/// destination accepts its migration-target calls for this VM only with it.</param>
/// <param name="CopyDisk">True when the hosts share no storage (the disk is mirrored over NBD first).</param>
public sealed record AgentMigrateRequest(Guid DestinationHost, string DestinationUrl, string Ticket, bool CopyDisk);

/// <summary>One line of the migrate answer (NDJSON): progress (0–1), then either the report or an error.</summary>
public sealed record AgentMigrationEvent(double? Progress, AgentMigrationReport? Report, string? Error);

/// <summary>What a live migration cost (QEMU's total-time and downtime; wall time as the source agent saw it).</summary>
public sealed record AgentMigrationReport(double TotalMs, double DowntimeMs, long RamTransferred, double WallMs);

/// <summary>A VM's machine as a migration destination must run it (paths are the source's, absolute).</summary>
public sealed record AgentVmSpec(Guid Vm, string Name, int Cores, long MemoryMiB, string Disk, string Kernel, string? Initrd, string Append,
    IReadOnlyList<AgentNic>? Nics = null);

/// <summary>Body of the migration-target calls prepare-incoming (DiskVirtualSize null: shared storage) .</summary>
public sealed record AgentIncomingRequest(AgentVmSpec Spec, long? DiskVirtualSize);

/// <summary>A migration or NBD URI returned by a migration target.</summary>
public sealed record AgentUriResponse(string Uri);
