using Octopus.Domain.Networks;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>Everything a node needs to run a VM, complete: a driver never reads the store or the disk catalog. The server
/// builds it (<c>RuntimeSpecs</c>) from the VM's spec and the disk tree each time it asks a node to create, start or
/// receive the VM, so a disk that a snapshot, fork or revert moved while the VM was stopped is always the current one.</summary>
/// <param name="Id">The VM.</param>
/// <param name="Name">Shown in the hypervisor's process title, logs and console.</param>
/// <param name="Geometry">vCPUs and memory (the disk size and image are already reflected in <paramref name="Disks"/>).</param>
/// <param name="Disks">The VM's disks, the boot disk first. Today every VM has exactly one.</param>
/// <param name="Nics">Network interfaces, in the guest's order (eth0 first), each with the MAC and address Octopus gave it.</param>
/// <param name="Boot">What to boot; null means the node's own configured boot source (an agent's kernel and initrd).</param>
/// <param name="Console">Which consoles to capture.</param>
/// <param name="Ingress">The VM's security group, the same for each of its NICs: what new connections they may receive
/// (empty: none). Null admits everything (only anti-spoofing applies), for specs built without the store.</param>
/// <param name="Seed">The cloud-init NoCloud seed the node attaches as a small read-only disk labelled cidata (the VM's
/// image is marked cloud-init capable); null: none.</param>
public sealed record VmRuntimeSpec(VmId Id, string Name, Geometry Geometry, IReadOnlyList<DiskAttachment> Disks,
    IReadOnlyList<NicSpec> Nics, BootMedia? Boot, ConsoleSpec Console, IReadOnlyList<IngressRule>? Ingress = null, CloudInitSeed? Seed = null)
{
    /// <summary>A spec that is only a shape: no disk, no NIC, the node's boot source, a serial console. What the simulated
    /// node needs, and what tests that do not care about disks build.</summary>
    public static VmRuntimeSpec Minimal(VmId id, string name, Geometry geometry) =>
        new(id, name, geometry, [], [], null, ConsoleSpec.SerialOnly);

    /// <summary>The disk the VM boots from, or null when the spec has none.</summary>
    public DiskAttachment? BootDisk => Disks.Count > 0 ? Disks[0] : null;

    /// <summary>Throws a <see cref="DriverException"/> naming the first inconsistency (relative paths, a chain that does
    /// not start with the active file, a NIC without a MAC).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new DriverException($"VM {Id}: the runtime spec has no name.");
        foreach (var d in Disks) d.Validate(Name);
        foreach (var n in Nics)
            if (string.IsNullOrWhiteSpace(n.Mac) || string.IsNullOrWhiteSpace(n.Bridge))
                throw new DriverException($"VM {Name}: every NIC needs a MAC address and a bridge.");
        Boot?.Validate(Name);
    }
}

/// <summary>One disk as the hypervisor opens it: the file the guest writes to and the read-only files behind it.</summary>
/// <param name="ActivePath">Absolute path of the file the guest writes to (the leaf of its chain).</param>
/// <param name="Chain">The whole backing chain, leaf first (= <paramref name="ActivePath"/>), base image last; absolute
/// paths. The hypervisor opens only the leaf (qcow2 records its backing files) but checks the chain is complete.</param>
/// <param name="ReadOnly">Attach read-only (the guest cannot write at all).</param>
public sealed record DiskAttachment(string ActivePath, IReadOnlyList<string> Chain, bool ReadOnly)
{
    /// <summary>A disk whose chain is only itself (a flat file).</summary>
    public static DiskAttachment Flat(string path) => new(path, [path], false);

    internal void Validate(string vm)
    {
        if (!Path.IsPathRooted(ActivePath)) throw new DriverException($"VM {vm}: disk path must be absolute; got '{ActivePath}'.");
        if (Chain.Count == 0 || !string.Equals(Chain[0], ActivePath, StringComparison.Ordinal))
            throw new DriverException($"VM {vm}: a disk chain starts with its active file {ActivePath}.");
        foreach (var p in Chain)
            if (!Path.IsPathRooted(p)) throw new DriverException($"VM {vm}: disk chain paths must be absolute; got '{p}'.");
    }
}

/// <summary>One network interface: its MAC, the Octopus network it belongs to and the host bridge it plugs into.</summary>
/// <param name="Mac">The MAC address (six hex pairs separated by ':').</param>
/// <param name="Network">The Octopus network's name.</param>
/// <param name="Bridge">The host bridge the NIC's tap joins.</param>
/// <param name="Ip">The IPv4 address Octopus gave the NIC (DHCP hands it out; anti-spoofing allows only it), or null.</param>
/// <param name="Vlan">The network's 802.1Q tag between hosts, or null for untagged.</param>
/// <param name="Subnet">The network's subnet (CIDR, e.g. 10.77.0.0/24), what a node needs to serve DHCP on the bridge.</param>
/// <param name="Gateway">The network's gateway address (the serving node's own address on the bridge).</param>
/// <param name="Domain">The network's DNS domain (the VM resolves as NAME.DOMAIN).</param>
/// <param name="HostName">The NIC's host name in <paramref name="Domain"/> (the store's; null: the VM's name).</param>
public sealed record NicSpec(string Mac, string Network, string Bridge, string? Ip = null, int? Vlan = null,
    string? Subnet = null, string? Gateway = null, string? Domain = null, string? HostName = null);

/// <summary>Direct kernel boot, what every Octopus VM boots from today (the test guest has no bootloader).</summary>
/// <param name="Kernel">Absolute path of the kernel image on the node.</param>
/// <param name="Initrd">Absolute path of the initramfs, or null.</param>
/// <param name="CommandLine">The kernel command line (may be empty).</param>
public sealed record BootMedia(string Kernel, string? Initrd, string CommandLine)
{
    internal void Validate(string vm)
    {
        if (!Path.IsPathRooted(Kernel)) throw new DriverException($"VM {vm}: kernel path must be absolute; got '{Kernel}'.");
        if (Initrd is not null && !Path.IsPathRooted(Initrd)) throw new DriverException($"VM {vm}: initrd path must be absolute; got '{Initrd}'.");
    }
}

/// <summary>Which consoles the node captures for the VM.</summary>
/// <param name="Serial">Capture the first serial port (what <see cref="INodeDriver.ReadConsoleAsync"/> returns).</param>
public sealed record ConsoleSpec(bool Serial)
{
    public static readonly ConsoleSpec SerialOnly = new(true);
}
