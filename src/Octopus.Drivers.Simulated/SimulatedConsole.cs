using System.Globalization;
using System.Text;

namespace Octopus.Drivers.Simulated;

/// <summary>The serial consoles of the simulated VMs: what a guest would print at each real state change of the
/// simulated cluster (boot on create and start, power-off on stop, restart on reboot). One file per VM in
/// <c>{folder}/{vm}.log</c> beside the cluster's state file (in memory when there is none), trimmed to its last
/// <see cref="MaxBytes"/> so a VM that reboots forever does not grow it without bound.</summary>
internal sealed class SimulatedConsole(string? folder, TimeProvider time)
{
    /// <summary>Bytes kept per VM (the oldest lines go first).</summary>
    public const int MaxBytes = 16 * 1024;

    private readonly Dictionary<Guid, byte[]> _memory = [];

    public void Boot(SimVmInfo vm)
    {
        Append(vm.Id,
            $"octopus-sim: power on: {vm.Cores} vCPU on host {vm.Host}",
            "Linux version 6.1.0-octopus-sim (simulated guest) #1 SMP",
            $"Command line: console=ttyS0 hostname={vm.Name}",
            "Run /init as init process",
            $"{vm.Name} login: ");
    }

    public void PowerOff(Guid vm) => Append(vm, "ACPI: power button pressed", "reboot: Power down");

    public void Reboot(SimVmInfo vm)
    {
        Append(vm.Id, "reboot: Restarting system");
        Boot(vm);
    }

    public void Delete(Guid vm)
    {
        _memory.Remove(vm);
        if (folder is not null) File.Delete(PathOf(vm));
    }

    /// <summary>The last <paramref name="maxBytes"/> bytes as text (a cut UTF-8 sequence becomes U+FFFD); null when the
    /// VM has no console yet.</summary>
    public string? Read(Guid vm, int maxBytes)
    {
        var bytes = Load(vm);
        if (bytes is null) return null;
        var take = Math.Clamp(maxBytes, 0, bytes.Length);
        return Encoding.UTF8.GetString(bytes, bytes.Length - take, take);
    }

    private void Append(Guid vm, params string[] lines)
    {
        var stamp = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        foreach (var line in lines) text.Append('[').Append(stamp).Append("] ").Append(line).Append('\n');
        var old = Load(vm) ?? [];
        var added = Encoding.UTF8.GetBytes(text.ToString());
        var all = new byte[old.Length + added.Length];
        old.CopyTo(all, 0);
        added.CopyTo(all, old.Length);
        if (all.Length > MaxBytes)
        {
            // Keep whole lines: cut after the first newline past the limit.
            var cut = Array.IndexOf(all, (byte)'\n', all.Length - MaxBytes);
            all = all[(cut < 0 ? all.Length - MaxBytes : cut + 1)..];
        }
        if (folder is null)
        {
            _memory[vm] = all;
            return;
        }
        Directory.CreateDirectory(folder);
        var tmp = PathOf(vm) + ".tmp";
        File.WriteAllBytes(tmp, all);
        File.Move(tmp, PathOf(vm), overwrite: true);
    }

    private byte[]? Load(Guid vm)
    {
        if (folder is null) return _memory.GetValueOrDefault(vm);
        var path = PathOf(vm);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private string PathOf(Guid vm) => Path.Combine(folder!, vm.ToString("N") + ".log");
}

/// <summary>What the console needs to know about a simulated VM.</summary>
internal readonly record struct SimVmInfo(Guid Id, string Name, int Cores, Guid Host);
