using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Octopus.TestKit;

/// <summary>A real BMC on loopback: OpenIPMI's <c>ipmi_sim</c> (Debian package openipmi) serving IPMI 2.0 / RMCP+ on
/// 127.0.0.1 at a free UDP port, with one admin user. Its chassis power is the life of <see cref="StartCommand"/>:
/// power on starts it, power off SIGTERMs it (no VM is connected to the serial port, so there is no graceful step).
/// Started by the test, stopped by its PID.</summary>
public sealed class IpmiSim : IAsyncDisposable
{
    public const string Binary = "/usr/bin/ipmi_sim";

    private readonly Process process;
    private readonly string folder;

    private IpmiSim(Process process, string folder, int port, string user, string password)
    {
        this.process = process;
        this.folder = folder;
        WattsFile = Path.Combine(folder, "watts");
        Port = port;
        User = user;
        Password = password;
    }

    public int Port { get; }
    public string User { get; }
    public string Password { get; }

    /// <summary>The file the power sensor (when there is one) reads its watts from; see <see cref="SetWatts"/>.</summary>
    public string WattsFile { get; }

    /// <summary>What the power sensor will read within its 1 s poll (resolution 2 W, up to 510 W).</summary>
    public void SetWatts(int watts)
    {
        // Renamed into place so the poll never reads a half-written file.
        var next = WattsFile + ".next";
        File.WriteAllText(next, watts.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(next, WattsFile, overwrite: true);
    }

    /// <summary>Why ipmi_sim cannot run here, or null when it can.</summary>
    public static string? SkipReason =>
        !File.Exists(Binary) ? $"{Binary} is not installed (scripts/install-deps installs openipmi)."
        : !File.Exists("/usr/bin/ipmitool") ? "/usr/bin/ipmitool is not installed (scripts/install-deps installs it)."
        : null;

    /// <summary>Starts ipmi_sim. <paramref name="startCommand"/> is what "power on" runs (a shell command line); the
    /// chassis starts off unless <paramref name="startOn"/>. With <paramref name="powerSensorWatts"/> the BMC also lists
    /// a "Pwr Consumption" sensor in watts (no DCMI: ipmi_sim has none, like many older BMCs), reading that value.</summary>
    public static async Task<IpmiSim> StartAsync(string startCommand = "/bin/sleep 1000000", bool startOn = false,
        string user = "octopus", string password = "bmc-s3cret", TimeSpan? powerOffWait = null, int? powerSensorWatts = null)
    {
        var folder = Directory.CreateTempSubdirectory("octopus-ipmisim-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "state"));
        var port = FreeLoopbackUdpPort();
        var serialPort = TestProcesses.FreeLoopbackPort();
        var inv = CultureInfo.InvariantCulture;
        // lan.conf (ipmi_lan(5)): one LAN channel on loopback; the chassis is switched through the VM serial codec,
        // which ipmi_sim needs configured for power control even when nothing connects to it.
        File.WriteAllText(Path.Combine(folder, "lan.conf"), string.Join('\n',
            "name \"octopus\"",
            "set_working_mc 0x20",
            "  startlan 1",
            $"    addr 127.0.0.1 {port.ToString(inv)}",
            "    priv_limit admin",
            "    allowed_auths_callback md5",
            "    allowed_auths_user md5",
            "    allowed_auths_operator md5",
            "    allowed_auths_admin md5",
            "    guid a123456789abcdefa123456789abcdef",
            "  endlan",
            $"  serial 15 127.0.0.1 {serialPort.ToString(inv)} codec VM",
            $"  startcmd \"{startCommand.Replace("\"", "\\\"", StringComparison.Ordinal)}\"",
            $"  startnow {(startOn ? "true" : "false")}",
            $"  poweroff_wait {((int)(powerOffWait ?? TimeSpan.FromSeconds(2)).TotalSeconds).ToString(inv)}",
            "  kill_wait 2",
            $"  user 2 true \"{user}\" \"{password}\" admin 10 md5",
            ""));
        // The command file must make 0x20 the BMC before anything else (ipmi_sim_cmd(5)).
        var sensor = new List<string>();
        if (powerSensorWatts is { } watts)
        {
            File.WriteAllText(Path.Combine(folder, "watts"), watts.ToString(inv) + "\n");
            sensor.Add("main_sdr_add 0x20 " + PowerSensorRecord);
            // Polled each second from the file; the raw byte is watts / 2 (the record's M = 2).
            sensor.Add($"sensor_add 0x20 0 0x30 0x03 0x01 poll 1000 file \"{Path.Combine(folder, "watts")}\" div=2");
        }
        File.WriteAllText(Path.Combine(folder, "sim.emu"), string.Join('\n',
            ["mc_setbmc 0x20",
            "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr",
            .. sensor,
            "sel_enable 0x20 1000 0x0a",
            "mc_enable 0x20",
            ""]));
        var psi = new ProcessStartInfo(Binary)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = folder,
        };
        foreach (var a in new[] { "-c", Path.Combine(folder, "lan.conf"), "-f", Path.Combine(folder, "sim.emu"), "-s", Path.Combine(folder, "state"), "-n" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ipmi_sim");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sim = new IpmiSim(process, folder, port, user, password);
        await sim.WaitListeningAsync(() => { lock (log) return log.ToString(); });
        return sim;
    }

    /// <summary>An IPMI 2.0 full sensor record (SDR type 01h, IPMI spec table 43-1): sensor 30h owned by the BMC (20h),
    /// system board, type Current (03h), threshold reading (01h), unsigned, base unit Watts (06h), linear, M = 2, B = 0,
    /// exponents 0, named "Pwr Consumption" (as Dell BMCs name theirs).</summary>
    private static string PowerSensorRecord
    {
        get
        {
            var name = "Pwr Consumption"u8.ToArray();
            byte[] body =
            [
                0x20, 0x00, 0x30,       // owner, LUN, sensor number
                0x07, 0x01,             // entity: system board, instance 1
                0x7f, 0x68,             // initialisation, capabilities
                0x03, 0x01,             // sensor type Current, event/reading type threshold
                0, 0, 0, 0, 0, 0,       // event masks
                0x00, 0x06, 0x00,       // units: unsigned; Watts; no modifier
                0x00,                   // linear
                2, 0, 0, 0, 0, 0x00,    // M, M/tolerance, B, B/accuracy, accuracy/direction, R/B exponents
                0x00, 0, 0, 0, 0xff, 0, // analog flags, nominal, normal max/min, sensor max/min
                0, 0, 0, 0, 0, 0,       // thresholds
                0, 0, 0, 0, 0,          // hysteresis, reserved, OEM
                (byte)(0xc0 | name.Length), .. name,
            ];
            byte[] record = [0x00, 0x00, 0x51, 0x01, (byte)body.Length, .. body];
            return string.Join(' ', record.Select(b => "0x" + b.ToString("x2", CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Runs ipmitool against this BMC (password in the environment) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> IpmitoolAsync(params string[] command)
    {
        var psi = new ProcessStartInfo("/usr/bin/ipmitool") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-I", "lanplus", "-C", "3", "-N", "1", "-R", "1", "-H", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-E" })
            psi.ArgumentList.Add(a);
        foreach (var a in command) psi.ArgumentList.Add(a);
        psi.Environment["IPMI_PASSWORD"] = Password;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    private async Task WaitListeningAsync(Func<string> log)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"ipmi_sim exited with {process.ExitCode}:\n{log()}");
            var (code, _) = await IpmitoolAsync("chassis", "power", "status");
            if (code == 0) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"ipmi_sim did not answer on 127.0.0.1:{Port} within 20 s:\n{log()}");
    }

    /// <summary>A UDP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeLoopbackUdpPort()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // ipmi_sim and whatever its power-on started: the whole tree, by our child's PID.
        await TestProcesses.StopAsync(process);
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
