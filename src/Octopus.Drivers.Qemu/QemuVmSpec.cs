using System.Text.Json;
using System.Text.Json.Serialization;
using Octopus.Domain.Networks;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu;

/// <summary>Everything needed to (re)build a VM's QEMU command line. Kept as spec.json in the VM's folder so a restarted
/// agent can start it again or re-adopt it, and sent to a migration destination, which must run the same machine.</summary>
/// <param name="Id">The VM.</param>
/// <param name="Name">Shown in QEMU's process title and logs.</param>
/// <param name="Cores">vCPUs (-smp).</param>
/// <param name="Memory">Guest RAM (-m), a whole number of MiB.</param>
/// <param name="Disk">The active qcow2 image (the leaf of its chain) in the shared storage folder; the disk tree owns it.</param>
/// <param name="Boot">Direct kernel boot (kernel, initrd, command line).</param>
/// <param name="Serial">Capture the first serial port in the folder's console.log.</param>
/// <param name="Graphics">Give the guest a screen (a standard VGA card) served as VNC on the folder's vnc.sock.</param>
/// <param name="Nics">The guest's NICs in order (eth0 first): each a tap on this host joined to its bridge; null is none.</param>
/// <param name="Seed">The cloud-init NoCloud seed, written to the folder's seed.iso before each start and attached
/// read-only; null is none.</param>
public sealed record QemuVmSpec(VmId Id, string Name, int Cores, ByteSize Memory, string Disk, DirectKernelBoot Boot, bool Serial = true,
    IReadOnlyList<TapPort>? Nics = null, CloudInitSeed? Seed = null, bool Graphics = true)
{
    /// <summary>The NICs, empty when there are none.</summary>
    public IReadOnlyList<TapPort> NicList => Nics ?? [];

    /// <summary>The tap of the VM's NIC in <paramref name="slot"/>: "o" + 10 hex digits of the VM id + "n" + slot, at most
    /// 15 characters (the kernel's limit), unique per VM on a host.</summary>
    public static string TapName(VmId vm, int slot)
    {
        if (slot is < 0 or > 99) throw new DriverException($"VM {vm}: NIC slot {slot} is out of range (0-99).");
        return $"o{vm.Value:N}"[..11] + "n" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Same machine: equal scalars and the same NICs in the same order (records compare lists by reference).</summary>
    public bool Equals(QemuVmSpec? other) =>
        other is not null && Id == other.Id && Name == other.Name && Cores == other.Cores && Memory == other.Memory && Disk == other.Disk
        && Boot == other.Boot && Serial == other.Serial && Graphics == other.Graphics && NicList.SequenceEqual(other.NicList) && Seed == other.Seed;

    public override int GetHashCode() => HashCode.Combine(Id, Name, Disk, NicList.Count);

    /// <summary>Checks what QEMU would otherwise reject with a less helpful message.</summary>
    public void Validate()
    {
        if (Cores < 1) throw new DriverException($"VM {Name}: cores must be at least 1; got {Cores}.");
        if (Memory.Bytes % ByteSize.MiB != 0 || Memory < ByteSize.FromMiB(16))
            throw new DriverException($"VM {Name}: memory must be a whole number of MiB, at least 16 MiB; got {Memory}.");
        if (!Path.IsPathRooted(Disk)) throw new DriverException($"VM {Name}: disk path must be absolute; got '{Disk}'.");
        Boot.Validate(Name);
        foreach (var n in NicList)
        {
            if (!MacAddress.TryParse(n.Mac, out _)) throw new DriverException($"VM {Name}: '{n.Mac}' is not a MAC address (six hex pairs separated by ':').");
            if (n.Tap.Length is 0 or > 15 || !n.Tap.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new DriverException($"VM {Name}: '{n.Tap}' is not a tap name (1-15 letters, digits, '-', '_', '.').");
            if (string.IsNullOrWhiteSpace(n.Bridge)) throw new DriverException($"VM {Name}: the NIC {n.Mac} names no bridge.");
        }
        var twice = NicList.GroupBy(n => n.Tap, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new DriverException($"VM {Name}: two NICs use tap {twice.Key}.");
    }

    public long MemoryMiB => Memory.Bytes / ByteSize.MiB;

    internal string ToJson() => JsonSerializer.Serialize(Stored.From(this), StoredJson.Options);

    internal static QemuVmSpec FromJson(string json, string source)
    {
        Stored? s;
        try
        {
            s = JsonSerializer.Deserialize<Stored>(json, StoredJson.Options);
        }
        catch (JsonException e)
        {
            throw new DriverException($"{source} is not a valid VM spec ({e.Message}); remove the folder or fix the file.", e);
        }
        if (s is null || s.Disk is null || s.Kernel is null || s.Name is null)
            throw new DriverException($"{source} lacks required fields (name, disk, kernel); remove the folder or fix the file.");
        return new QemuVmSpec(new VmId(s.Id), s.Name, s.Cores, ByteSize.FromMiB(s.MemoryMiB), s.Disk,
            new DirectKernelBoot(s.Kernel, s.Initrd, s.Append ?? ""), s.Serial ?? true,
            s.Nics is { Count: > 0 } nics ? [.. nics.Select(n => new TapPort(n.Tap, n.Bridge, n.Mac, n.Addressing, Rules(n.Ingress, source)))] : null,
            s.Seed is { MetaData: { } meta, UserData: { } user } ? new CloudInitSeed(meta, user, s.Seed.NetworkConfig) : null, s.Graphics ?? true);
    }

    /// <summary>The on-disk shape: flat and versionable, apart from the domain types.</summary>
    /// <remarks>Serial and Graphics are absent (true), Nics and Seed absent (none) in folders written before they existed.</remarks>
    internal sealed record Stored(Guid Id, string? Name, int Cores, long MemoryMiB, string? Disk, string? Kernel, string? Initrd, string? Append,
        bool? Serial = null, List<StoredNic>? Nics = null, StoredSeed? Seed = null, bool? Graphics = null)
    {
        public static Stored From(QemuVmSpec s) =>
            new(s.Id.Value, s.Name, s.Cores, s.MemoryMiB, s.Disk, s.Boot.Kernel, s.Boot.Initrd, s.Boot.Append, s.Serial ? null : false,
                s.NicList.Count == 0 ? null : [.. s.NicList.Select(n => new StoredNic(n.Tap, n.Bridge, n.Mac, n.Addressing,
                    n.Ingress is null ? null : [.. n.Ingress.Select(r => r.ToString())]))],
                s.Seed is { } seed ? new StoredSeed(seed.MetaData, seed.UserData, seed.NetworkConfig) : null, s.Graphics ? null : false);
    }

    internal sealed record StoredSeed(string? MetaData, string? UserData, string? NetworkConfig = null);

    /// <remarks>Ingress absent: a NIC recorded before security groups (admitted openly).</remarks>
    internal sealed record StoredNic(string Tap, string Bridge, string Mac, NicAddressing? Addressing = null, List<string>? Ingress = null);

    private static List<IngressRule>? Rules(List<string>? texts, string source)
    {
        if (texts is null) return null;
        try { return [.. texts.Select(IngressRule.Parse)]; }
        catch (Octopus.Domain.DomainException e) { throw new DriverException($"{source} holds a bad ingress rule ({e.Message}); remove the folder or fix the file.", e); }
    }
}

/// <summary>Boots a kernel directly (-kernel/-initrd/-append), as the test guest does; no bootloader, no firmware disk.</summary>
public sealed record DirectKernelBoot(string Kernel, string? Initrd, string Append)
{
    internal void Validate(string vm)
    {
        if (!Path.IsPathRooted(Kernel)) throw new DriverException($"VM {vm}: kernel path must be absolute; got '{Kernel}'.");
        if (Initrd is not null && !Path.IsPathRooted(Initrd)) throw new DriverException($"VM {vm}: initrd path must be absolute; got '{Initrd}'.");
    }
}

internal static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
