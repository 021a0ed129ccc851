using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>One <c>octopus serve</c> process (the built CLI, SQLite store) on a free loopback port and a data folder that
/// outlives it, for the crash tests: started with the environment a test gives, its output kept, and killed with SIGKILL
/// by its PID, so no shutdown code runs, exactly like a crash.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _password;

    private ServeProcess(Process process, string url, StringBuilder log, string password) =>
        (_process, Url, _log, _password) = (process, url, log, password);

    public string Url { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server on <paramref name="data"/> with <paramref name="environment"/> added (a null value
    /// removes a variable) and waits until <c>/api/v1/health</c> answers. Output goes to <paramref name="log"/>, which
    /// the caller keeps across restarts.</summary>
    public static async Task<ServeProcess> StartAsync(string data, string adminPassword, StringBuilder log, IReadOnlyDictionary<string, string?> environment)
    {
        var port = TestProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliProcess.DllPath, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--data", data })
            start.ArgumentList.Add(a);
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
        var server = new ServeProcess(process, $"http://127.0.0.1:{port}", log, adminPassword);
        await TestProcesses.WaitForHealthAsync(process, server.Url, () => Text(log));
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
