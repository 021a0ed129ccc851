using System.Diagnostics;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Integration;

/// <summary>Builds (or reuses the cached) test guest with scripts/build-test-guest and lays out a shared storage folder
/// with it as the image "test-guest". Kills every QEMU started under its folder when asked and when disposed.</summary>
public sealed class TestGuestFixture : IAsyncLifetime
{
    public const string QemuBinary = "/usr/bin/qemu-system-x86_64";
    public static readonly ImageName Image = ImageName.Parse("test-guest");

    /// <summary>Why the real-QEMU tests cannot run here, or null when they can.</summary>
    public string? SkipReason { get; private set; }
    public string Root { get; private set; } = "";
    public string Storage => Path.Combine(Root, "storage");
    public DirectKernelBoot Boot { get; private set; } = new("/", null, "");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(QemuBinary))
        {
            SkipReason = $"{QemuBinary} is not installed (scripts/install-deps installs qemu-system-x86; CI runs it).";
            return;
        }
        var guestDir = await BuildGuestAsync();
        var env = File.ReadAllLines(Path.Combine(guestDir, "guest.env"))
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim('"'));
        Boot = new DirectKernelBoot(env["KERNEL"], env["INITRD"], env["APPEND"]);
        // Short root: QMP socket paths must fit in 107 bytes.
        Root = Directory.CreateTempSubdirectory("oq-").FullName;
        Directory.CreateDirectory(Path.Combine(Storage, "images"));
        await new QemuImg().CreateChildAsync(env["DISK"], Path.Combine(Storage, "images", Image.Value + ".qcow2"), CancellationToken.None);
    }

    private static async Task<string> BuildGuestAsync()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Octopus.slnx"))) dir = Path.GetDirectoryName(dir);
        if (dir is null) throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above the test binaries.");
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(dir, "scripts", "build-test-guest"));
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"scripts/build-test-guest failed: {await stderr}");
        return (await stdout).Trim().Split('\n')[^1];
    }

    /// <summary>Kills every QEMU whose VM folder lies under this fixture's root (by pid, after checking its argv).</summary>
    public void KillAll()
    {
        if (Root.Length == 0 || !Directory.Exists(Root)) return;
        var killed = new List<int>();
        foreach (var pidFile in Directory.EnumerateFiles(Root, "qemu.pid", SearchOption.AllDirectories))
        {
            var folderPath = Path.GetDirectoryName(pidFile)!;
            if (!VmId.TryParse(Path.GetFileName(folderPath), out var vm)) continue;
            var dataDir = Path.GetDirectoryName(Path.GetDirectoryName(folderPath)!)!;
            var folder = new VmFolder(dataDir, vm);
            if (folder.ReadPid() is { } pid && QemuProcess.IsQemuOf(pid, folder))
            {
                QemuProcess.Kill(pid);
                killed.Add(pid);
            }
        }
        for (var i = 0; i < 100 && killed.Any(ProcFs.IsAlive); i++) Thread.Sleep(50);
    }

    public ValueTask DisposeAsync()
    {
        KillAll();
        if (Root.Length > 0 && Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        return ValueTask.CompletedTask;
    }
}
