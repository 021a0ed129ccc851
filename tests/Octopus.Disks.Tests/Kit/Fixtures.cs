using Octopus.Disks.Model;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Disks.Tests.Kit;

/// <summary>Fluent builders for disk rows in model tests.</summary>
public static class Fixtures
{
    public static readonly UserId Alice = new(Guid.Parse("00000000-0000-0000-0000-00000000a11c"));
    public static readonly UserId Bob = new(Guid.Parse("00000000-0000-0000-0000-000000000b0b"));
    public static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public static Disk Image(string name = "debian-12") =>
        Disk.NewImage(DiskId.New(), ImageName.Parse(name), Alice, ByteSize.FromGiB(1), ByteSize.FromMiB(300), T0);

    public static Disk ActiveOn(Disk parent, VmId vm) => Disk.NewActive(DiskId.New(), parent, vm, Alice, T0);

    public static SnapshotName Snap(string name) => SnapshotName.Parse(name);

    /// <summary>Writes a small raw image file with a recognisable first MiB, for import tests.</summary>
    public static string RawImageFile(string folder, int mib = 4)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "source.img");
        var data = new byte[mib * 1024 * 1024];
        Array.Fill(data, (byte)0x5a, 0, 1024 * 1024);
        File.WriteAllBytes(path, data);
        return path;
    }
}
