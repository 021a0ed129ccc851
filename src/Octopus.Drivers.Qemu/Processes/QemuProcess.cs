using System.Diagnostics;
using Octopus.Drivers.Qemu.Qmp;

namespace Octopus.Drivers.Qemu.Processes;

/// <summary>One running QEMU process of a VM: its pid and the QMP connection this agent owns. QEMU runs daemonised (its
/// parent is init, not the agent), so it outlives the agent and can be re-adopted by the next one.</summary>
public sealed class QemuProcess : IAsyncDisposable
{
    private readonly TimeProvider _time;

    private QemuProcess(int pid, VmFolder folder, QmpClient qmp, TimeProvider time)
    {
        Pid = pid;
        Folder = folder;
        Qmp = qmp;
        _time = time;
    }

    public int Pid { get; }
    public VmFolder Folder { get; }
    public QmpClient Qmp { get; }

    public bool IsAlive => ProcFs.IsAlive(Pid);

    /// <summary>Starts QEMU with <paramref name="argv"/> (daemonised, so this returns once QEMU has opened its disk and
    /// sockets), then connects to its QMP socket. QEMU's start-up messages go to qemu.log in the VM folder; after it
    /// daemonises its output goes to /dev/null, so no pipe is left for it to block on.</summary>
    public static async Task<QemuProcess> LaunchAsync(VmFolder folder, IReadOnlyList<string> argv, QemuOptions options, TimeProvider time, CancellationToken ct)
    {
        if (!File.Exists(options.QemuBinary))
            throw new DriverException($"QEMU is not installed at {options.QemuBinary}; run scripts/install-deps (apt package qemu-system-x86).");
        File.Delete(folder.PidFile);
        File.Delete(folder.QmpSocket);
        var psi = new ProcessStartInfo(options.NetworkNamespace is null ? options.QemuBinary : options.IpPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder.Path,
        };
        // ip netns exec execs QEMU itself, so the pid file still names QEMU.
        if (options.NetworkNamespace is { } ns) foreach (var a in new[] { "netns", "exec", ns, options.QemuBinary }) psi.ArgumentList.Add(a);
        foreach (var a in argv) psi.ArgumentList.Add(a);

        using var launcher = Process.Start(psi) ?? throw new DriverException($"could not start {options.QemuBinary}.");
        launcher.StandardInput.Close();
        // The foreground QEMU exits once the daemon is ready (or failed); its output is short.
        var stdout = launcher.StandardOutput.ReadToEndAsync(ct);
        var stderr = launcher.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.LaunchTimeout);
        try
        {
            await launcher.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            launcher.Kill(entireProcessTree: true);
            throw new DriverException($"QEMU for VM {folder.Vm} did not start within {options.LaunchTimeout.TotalSeconds:0} s.");
        }
        var log = (await stdout) + (await stderr);
        await File.AppendAllTextAsync(folder.QemuLog, $"--- {time.GetUtcNow():O} {string.Join(' ', argv)}\n{log}", CancellationToken.None);
        if (launcher.ExitCode != 0)
            throw new DriverException($"QEMU refused to start VM {folder.Vm} (exit {launcher.ExitCode}): {FirstLine(log)}");
        var pid = folder.ReadPid() ?? throw new DriverException($"QEMU started VM {folder.Vm} but wrote no pid file {folder.PidFile}.");

        try
        {
            var qmp = await QmpClient.ConnectAsync(folder.QmpSocket, options.QmpTimeout, time, ct);
            return new QemuProcess(pid, folder, qmp, time);
        }
        catch
        {
            Kill(pid);
            throw;
        }
    }

    /// <summary>Re-adopts the QEMU of <paramref name="folder"/> left running by a previous agent: the pid file must name a
    /// live qemu process whose argv holds this folder's QMP socket (a recycled pid belongs to someone else).
    /// Returns null when there is nothing to adopt.</summary>
    public static async Task<QemuProcess?> AdoptAsync(VmFolder folder, QemuOptions options, TimeProvider time, CancellationToken ct)
    {
        var pid = folder.ReadPid();
        if (pid is null || !IsQemuOf(pid.Value, folder)) return null;
        var qmp = await QmpClient.ConnectAsync(folder.QmpSocket, options.QmpTimeout, time, ct);
        return new QemuProcess(pid.Value, folder, qmp, time);
    }

    internal static bool IsQemuOf(int pid, VmFolder folder)
    {
        if (!ProcFs.IsAlive(pid)) return false;
        var argv = ProcFs.CommandLine(pid);
        if (argv is null || argv.Count == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal)) return false;
        var qmpArg = $"unix:{QemuCommandLine.Escape(folder.QmpSocket)},server=on,wait=off";
        return argv.Contains(qmpArg);
    }

    /// <summary>Waits until the process has exited; false when it still runs after <paramref name="timeout"/>.
    /// QEMU is not our child, so this watches /proc (and the QMP socket closing, which comes first).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        while (IsAlive)
        {
            if (_time.GetElapsedTime(start) >= timeout) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, ct);
        }
        return true;
    }

    /// <summary>SIGKILL, then wait for it to be gone. Safe when the process has already exited.</summary>
    public async Task KillAsync(CancellationToken ct)
    {
        Kill(Pid);
        await WaitForExitAsync(TimeSpan.FromSeconds(10), ct);
    }

    internal static void Kill(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : string.Join(" | ", lines.Take(3));
    }

    /// <summary>Closes the QMP connection; QEMU keeps running.</summary>
    public ValueTask DisposeAsync() => Qmp.DisposeAsync();
}
