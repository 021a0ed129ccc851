using System.Text;
using Octopus.Domain.Vms;

namespace Octopus.Drivers.Qemu;

/// <summary>The per-VM folder under the agent's data folder: {data}/vms/{vm-id}/ holding the spec, the pid file, the QMP
/// socket, the serial console log and QEMU's own start-up log. Its presence is what makes a VM "defined on this host";
/// re-adoption after an agent restart starts from these folders.</summary>
public sealed class VmFolder
{
    /// <summary>Linux limits a unix socket path to 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public VmFolder(string dataDir, VmId vm)
    {
        Vm = vm;
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDir), "vms", vm.Value.ToString());
    }

    public VmId Vm { get; }
    public string Path { get; }
    public string SpecFile => System.IO.Path.Combine(Path, "spec.json");
    public string PidFile => System.IO.Path.Combine(Path, "qemu.pid");
    public string QmpSocket => System.IO.Path.Combine(Path, "qmp.sock");
    public string ConsoleLog => System.IO.Path.Combine(Path, "console.log");
    /// <summary>The first serial port's unix socket (QEMU listens; one console connects at a time).</summary>
    public string SerialSocket => System.IO.Path.Combine(Path, "serial.sock");
    /// <summary>The screen's VNC server, a unix socket (QEMU listens; several viewers may connect at once).</summary>
    public string VncSocket => System.IO.Path.Combine(Path, "vnc.sock");
    public string QemuLog => System.IO.Path.Combine(Path, "qemu.log");
    /// <summary>The cloud-init NoCloud seed (ISO9660, label cidata), written from the spec before each QEMU start.</summary>
    public string SeedImage => System.IO.Path.Combine(Path, "seed.iso");

    public bool Exists => Directory.Exists(Path);

    /// <summary>Creates the folder; refuses a data folder so deep that the QMP socket path would not fit.</summary>
    public void Create()
    {
        // The serial socket's name is the longer of the two.
        if (Encoding.UTF8.GetByteCount(SerialSocket) > MaxSocketPathBytes)
            throw new DriverException($"the agent's data folder is too deep: the serial socket path '{SerialSocket}' is longer than " +
                                      $"{MaxSocketPathBytes} bytes (a unix socket limit); choose a shorter --data folder.");
        Directory.CreateDirectory(Path);
    }

    public void WriteSpec(QemuVmSpec spec)
    {
        var tmp = SpecFile + ".tmp";
        File.WriteAllText(tmp, spec.ToJson());
        File.Move(tmp, SpecFile, overwrite: true);
    }

    public QemuVmSpec ReadSpec() => QemuVmSpec.FromJson(File.ReadAllText(SpecFile), SpecFile);

    /// <summary>The pid QEMU wrote, or null when there is no readable pid file.</summary>
    public int? ReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Removes the folder and everything in it (never the disk, which lives in shared storage).</summary>
    public void Delete()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }

    /// <summary>VM folders found under a data folder (those whose name is a VM id).</summary>
    public static IEnumerable<VmFolder> Enumerate(string dataDir)
    {
        var root = System.IO.Path.Combine(dataDir, "vms");
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            if (VmId.TryParse(System.IO.Path.GetFileName(dir), out var id)) yield return new VmFolder(dataDir, id);
        }
    }
}
