using System.Net;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent;

/// <summary>What <c>octopus agent</c> was given. <see cref="Validate"/> explains the first wrong value.</summary>
public sealed record AgentOptions
{
    /// <summary>Loopback or node address and port the agent listens on, e.g. 127.0.0.1:7001.</summary>
    public required string Listen { get; init; }

    /// <summary>The agent's data folder (VM folders). Keep it short: QMP socket paths must fit in 107 bytes.</summary>
    public required string Data { get; init; }

    /// <summary>The shared storage folder (the server's Octopus:Storage:Folder, mounted at the same path on every agent).</summary>
    public required string Storage { get; init; }

    /// <summary>The server's URL, e.g. http://127.0.0.1:5080.</summary>
    public required string Server { get; init; }

    /// <summary>The cluster join token (the server's Octopus:Agents:JoinToken).</summary>
    public required string Token { get; init; }

    /// <summary>Host name; default HOSTNAME-PORT.</summary>
    public string? Name { get; init; }

    /// <summary>Cores offered to VMs; default the machine's processors.</summary>
    public int? Cores { get; init; }

    /// <summary>Memory offered to VMs in bytes; default the machine's memory.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Guest kernel for direct boot; default {storage}/boot/vmlinux.</summary>
    public string? Kernel { get; init; }

    /// <summary>Guest initrd; default {storage}/boot/initramfs.gz when it exists.</summary>
    public string? Initrd { get; init; }

    public string Append { get; init; } = "console=ttyS0 quiet panic=-1";

    /// <summary>Run QEMU and the VMs' networking (bridges, taps, dnsmasq, nftables) in this network namespace; null for
    /// the machine's own. Tests give each agent a namespace that acts as its host.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The interface that reaches the other hosts' networks (e.g. eth1): joined to every untagged network's
    /// bridge, or as IFACE.TAG to a VLAN network's, so VMs of one network on different hosts share one segment. Null: each
    /// host's bridges are local and VLAN networks are refused.</summary>
    public string? Uplink { get; init; }

    /// <summary>How often the agent heartbeats. Default 2 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The QEMU driver's own options (data folder set from <see cref="Data"/>).</summary>
    public QemuOptions? Qemu { get; init; }

    /// <summary>Checked and resolved options; throws <see cref="AgentConfigurationException"/> naming the option.</summary>
    public ResolvedAgentOptions Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint) || endpoint.Port == 0 || !Listen.Contains(':', StringComparison.Ordinal))
            throw new AgentConfigurationException("--listen", $"'{Listen}' is not ADDRESS:PORT (e.g. 127.0.0.1:7001).");
        if (string.IsNullOrWhiteSpace(Data)) throw new AgentConfigurationException("--data", "must name a folder.");
        var data = Path.GetFullPath(Data);
        // {data}/vms/{36-char id}/qmp.sock must fit in sun_path (107 bytes).
        if (data.Length + "/vms/".Length + 36 + "/qmp.sock".Length > 107)
            throw new AgentConfigurationException("--data", $"'{data}' is too long: QMP socket paths must fit in 107 bytes; use a short folder such as /tmp/oa1.");
        if (string.IsNullOrWhiteSpace(Storage)) throw new AgentConfigurationException("--storage", "must name the shared storage folder.");
        var storage = Path.GetFullPath(Storage);
        if (!Directory.Exists(storage)) throw new AgentConfigurationException("--storage", $"the folder {storage} does not exist.");
        if (!Uri.TryCreate(Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            throw new AgentConfigurationException("--server", $"'{Server}' is not an http(s) URL.");
        if (string.IsNullOrWhiteSpace(Token)) throw new AgentConfigurationException("--token", "must be the cluster join token.");
        var machine = new string([.. Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-')]);
        var name = Name ?? $"{(machine.Length > 40 ? machine[..40] : machine)}-{endpoint.Port}";
        if (name.Length is 0 or > 50 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new AgentConfigurationException("--name", $"'{name}' must be 1-50 lower-case letters, digits or '-'.");
        var cores = Cores ?? Environment.ProcessorCount;
        if (cores is < 1 or > 4096) throw new AgentConfigurationException("--cores", $"{cores} is out of range (1-4096).");
        var memory = MemoryBytes ?? MachineMemoryBytes();
        if (memory < 64L * 1024 * 1024) throw new AgentConfigurationException("--memory", "must be at least 64MiB.");
        var kernel = Path.GetFullPath(Kernel ?? Path.Combine(storage, "boot", "vmlinux"));
        if (!File.Exists(kernel)) throw new AgentConfigurationException("--kernel", $"the guest kernel {kernel} does not exist.");
        var defaultInitrd = Path.Combine(storage, "boot", "initramfs.gz");
        var initrd = Initrd is not null ? Path.GetFullPath(Initrd) : File.Exists(defaultInitrd) ? defaultInitrd : null;
        if (initrd is not null && !File.Exists(initrd)) throw new AgentConfigurationException("--initrd", $"the initrd {initrd} does not exist.");
        if (HeartbeatInterval < TimeSpan.FromMilliseconds(100) || HeartbeatInterval > TimeSpan.FromMinutes(1))
            throw new AgentConfigurationException("heartbeat interval", $"{HeartbeatInterval} is out of range (100 ms to 1 min).");
        if (Uplink is not null && (Uplink.Length is 0 or > 10 || !Uplink.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new AgentConfigurationException("--uplink", $"'{Uplink}' is not an interface name (1-10 letters, digits, '-' or '_', so IFACE.VLAN fits in 15).");
        // QEMU waits for incoming migrations on the address the agent listens on (unless that is every address): the
        // source host reaches it there, as it reaches the agent.
        var qemu = Qemu ?? new QemuOptions
        {
            DataDir = data,
            MigrationListenAddress = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : endpoint.Address.ToString(),
        };
        qemu = qemu with { DataDir = data };
        if (NetworkNamespace is not null) qemu = qemu with { NetworkNamespace = NetworkNamespace };
        try { qemu.Validate(); }
        catch (Drivers.DriverException e) { throw new AgentConfigurationException("--data", e.Message); }
        return new ResolvedAgentOptions(endpoint, data, storage, server, Token, name, cores, memory,
            new DirectKernelBoot(kernel, initrd, Append), HeartbeatInterval, qemu, Uplink);
    }

    private static long MachineMemoryBytes()
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total : 1L << 30;
    }
}

/// <summary>Validated agent settings.</summary>
public sealed record ResolvedAgentOptions(IPEndPoint Listen, string Data, string Storage, Uri Server, string Token, string Name, int Cores,
    long MemoryBytes, DirectKernelBoot Boot, TimeSpan HeartbeatInterval, QemuOptions Qemu, string? Uplink = null)
{
    public string Url => $"http://{Listen}";
}

/// <summary>An agent option is wrong; the message says which and what to give instead.</summary>
public sealed class AgentConfigurationException(string option, string problem) : Exception($"{option}: {problem}")
{
    public string Option { get; } = option;
}
