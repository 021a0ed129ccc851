using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Octopus.Client;
using Octopus.Contracts;

namespace Octopus.TestKit;

/// <summary>One <c>octopus serve</c> process (the built CLI beside the test binaries, SQLite store) on a loopback port and
/// a data folder that outlives it, for the crash tests: started with the environment a test gives, its output kept, and
/// killed with SIGKILL by its PID, so no shutdown code runs, exactly like a crash.</summary>
public sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _password;

    private ServeProcess(Process process, string url, StringBuilder log, string password) =>
        (_process, Url, _log, _password) = (process, url, log, password);

    public string Url { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>The CLI the test project's build put beside its binaries (a project reference to Octopus.Cli does).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "octopus.dll");

    /// <summary>Starts the server on <paramref name="data"/> with <paramref name="environment"/> added (a null value
    /// removes a variable) and waits until <c>/api/v1/health</c> answers. Output goes to <paramref name="log"/>, which
    /// the caller keeps across restarts. <paramref name="port"/>: a free one when null; a test whose agents must find the
    /// restarted server again passes the same port each time. <paramref name="arguments"/> are added to <c>serve</c>'s.</summary>
    public static async Task<ServeProcess> StartAsync(string data, string adminPassword, StringBuilder log, IReadOnlyDictionary<string, string?> environment,
        int? port = null, IReadOnlyList<string>? arguments = null)
    {
        var listen = port ?? TestProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] serve = [DllPath, "serve", "--port", listen.ToString(CultureInfo.InvariantCulture), "--data", data, .. arguments ?? []];
        foreach (var a in serve) start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_ADMIN_PASSWORD"] = adminPassword;
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServeProcess(process, $"http://127.0.0.1:{listen}", log, adminPassword);
        try
        {
            await TestProcesses.WaitForHealthAsync(process, server.Url, () => Text(log));
        }
        catch
        {
            server.Dispose(); // a server that never answered is not the caller's to stop: it would outlive the test
            throw;
        }
        return server;
    }

    /// <summary>Whether qemu-img is on PATH (the crash tests keep qcow2 disks; scripts/install-deps installs it).</summary>
    public static bool QemuImgInstalled =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "qemu-img")));

    public static string Text(StringBuilder log)
    {
        lock (log) return log.ToString();
    }

    /// <summary>A client logged in as the admin.</summary>
    public async Task<OctopusClient> LoginAsync()
    {
        using var anonymous = new HttpClient();
        using var response = await anonymous.PostAsJsonAsync(new Uri(Url + ApiRoutes.Base + "/auth/token"), new TokenRequest("admin", _password));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        return new OctopusClient(new Uri(Url), token);
    }

    /// <summary>Waits up to <paramref name="within"/> for the process to end by itself; true when it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!_process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
        return _process.HasExited;
    }

    /// <summary>SIGKILL by PID (a no-op when it has exited).</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null) return;
        lock (log) log.AppendLine(line);
    }
}
