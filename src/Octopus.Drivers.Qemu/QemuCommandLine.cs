namespace Octopus.Drivers.Qemu;

/// <summary>How a QEMU process waits for an incoming migration.</summary>
public abstract record IncomingMigration
{
    private IncomingMigration() { }

    /// <summary>Shared storage: listen on a TCP port; QEMU opens the (shared) disk inactive until the state arrives.</summary>
    public sealed record Tcp(string Address, int Port) : IncomingMigration;

    /// <summary>No shared storage: start paused (-S) with "-incoming defer", so the disk can be exported over NBD and
    /// mirrored into before migrate-incoming is issued.</summary>
    public sealed record Deferred : IncomingMigration;
}

/// <summary>Builds QEMU's argv (never a shell string) from a VM's spec and folder. A migration destination uses the same
/// argv plus -incoming, which is what makes the two machines compatible.</summary>
public static class QemuCommandLine
{
    /// <summary>The block backend name of the VM's one disk, used by snapshot, mirror and NBD commands.</summary>
    public const string DiskId = "disk0";

    /// <summary>The block backend name of the read-only cloud-init seed disk.</summary>
    public const string SeedId = "cidata";

    public static IReadOnlyList<string> Build(QemuVmSpec spec, VmFolder folder, QemuOptions options, IncomingMigration? incoming = null)
    {
        spec.Validate();
        var args = new List<string>
        {
            "-name", Escape(spec.Name),
            "-nodefaults", "-no-user-config",
            "-accel", options.Accelerator,
            "-m", $"{spec.MemoryMiB}M",
            "-smp", spec.Cores.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-kernel", spec.Boot.Kernel,
        };
        if (spec.Boot.Initrd is not null) args.AddRange(["-initrd", spec.Boot.Initrd]);
        if (spec.Boot.Append.Length > 0) args.AddRange(["-append", spec.Boot.Append]);
        args.AddRange(
        [
            "-drive", $"file={Escape(spec.Disk)},format=qcow2,if=virtio,id={DiskId}",
        ]);
        // The cloud-init seed: a second virtio disk the guest cannot write (readonly=on), found by its label cidata.
        if (spec.Seed is not null)
            args.AddRange(["-drive", $"file={Escape(folder.SeedImage)},format=raw,if=virtio,readonly=on,id={SeedId}"]);
        // Each NIC is a tap the host's network plumbing made and joined to its bridge beforehand (script=no: QEMU runs
        // no helper and needs no privilege to open it); the MAC is the one Octopus allocated, so DHCP hands out its address.
        for (var i = 0; i < spec.NicList.Count; i++)
        {
            var nic = spec.NicList[i];
            args.AddRange(
            [
                "-netdev", $"tap,id=net{i},ifname={Escape(nic.Tap)},script=no,downscript=no",
                "-device", $"{options.NicModel},netdev=net{i},mac={nic.Mac}",
            ]);
        }
        // The first serial port is a unix socket an interactive console connects to (server=on,wait=off: the guest does
        // not wait for one), and everything the guest prints also goes to the console log (logappend=on: a reboot or a
        // restarted QEMU adds to the history instead of wiping it).
        if (spec.Serial)
            args.AddRange(["-chardev", $"socket,id=serial0,path={Escape(folder.SerialSocket)},server=on,wait=off,logfile={Escape(folder.ConsoleLog)},logappend=on",
                "-serial", "chardev:serial0"]);
        // The screen: a standard VGA card (the firmware and the kernel's text console draw on it) whose display is a VNC
        // server on a unix socket in the VM's folder, reachable only through the agent (which authorises each viewer with a
        // console ticket), never on a TCP port. Without it the guest has no display device at all (-nodefaults).
        if (spec.Graphics)
            args.AddRange(["-device", "VGA", "-vnc", $"unix:{Escape(folder.VncSocket)}"]);
        args.AddRange(
        [
            "-qmp", $"unix:{Escape(folder.QmpSocket)},server=on,wait=off",
            "-display", "none",
            "-pidfile", folder.PidFile,
            "-daemonize",
        ]);
        switch (incoming)
        {
            case null:
                break;
            case IncomingMigration.Tcp tcp:
                args.AddRange(["-incoming", $"tcp:{tcp.Address}:{tcp.Port}"]);
                break;
            case IncomingMigration.Deferred:
                args.AddRange(["-incoming", "defer", "-S"]);
                break;
        }
        return args;
    }

    /// <summary>QEMU option values are comma-separated key=value lists; a literal comma is written twice.</summary>
    internal static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
