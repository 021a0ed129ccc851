using System.Text.Json;
using System.Text.Json.Serialization;
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
public sealed record QemuVmSpec(VmId Id, string Name, int Cores, ByteSize Memory, string Disk, DirectKernelBoot Boot, bool Serial = true)
{
    /// <summary>Checks what QEMU would otherwise reject with a less helpful message.</summary>
    public void Validate()
    {
        if (Cores < 1) throw new DriverException($"VM {Name}: cores must be at least 1; got {Cores}.");
        if (Memory.Bytes % ByteSize.MiB != 0 || Memory < ByteSize.FromMiB(16))
            throw new DriverException($"VM {Name}: memory must be a whole number of MiB, at least 16 MiB; got {Memory}.");
        if (!Path.IsPathRooted(Disk)) throw new DriverException($"VM {Name}: disk path must be absolute; got '{Disk}'.");
        Boot.Validate(Name);
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
            new DirectKernelBoot(s.Kernel, s.Initrd, s.Append ?? ""), s.Serial ?? true);
    }

    /// <summary>The on-disk shape: flat and versionable, apart from the domain types.</summary>
    /// <remarks>Serial is absent (true) in folders written before it existed.</remarks>
    internal sealed record Stored(Guid Id, string? Name, int Cores, long MemoryMiB, string? Disk, string? Kernel, string? Initrd, string? Append, bool? Serial = null)
    {
        public static Stored From(QemuVmSpec s) =>
            new(s.Id.Value, s.Name, s.Cores, s.MemoryMiB, s.Disk, s.Boot.Kernel, s.Boot.Initrd, s.Boot.Append, s.Serial ? null : false);
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
