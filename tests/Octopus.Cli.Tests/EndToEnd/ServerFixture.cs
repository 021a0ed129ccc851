using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>A real Octopus server process on 127.0.0.1 for the end-to-end tests: started with
/// <c>octopus serve --port P --data TMP</c> and fast simulated operations, killed by PID when the tests end.
/// When the CLI has no <c>serve</c> command, <see cref="SkipReason"/> says so and the tests skip.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string AdminPassword = "e2e-admin-Passw0rd";

    private readonly string _dir = Directory.CreateTempSubdirectory("octopus-e2e-").FullName;
    private readonly StringBuilder _log = new();
    private Process? _server;

    public string Url { get; private set; } = "";
    public string? SkipReason { get; private set; }

    /// <summary>The admin's CLI, logged in once the server is up.</summary>
    public CliProcess Admin { get; private set; } = null!;

    /// <summary>The server's data folder (its import folder for images is <c>import/</c> inside it).</summary>
    public string DataDirectory => Path.Combine(_dir, "data");

    /// <summary>The logged-in admin's CLI, or skips the calling test with the reason the server could not start.</summary>
    public CliProcess AdminOrSkip()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        return Admin;
    }

    public string NewConfigPath() => Path.Combine(_dir, "config-" + Guid.NewGuid().ToString("N") + ".json");

    public string ServerLog
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(CliProcess.DllPath))
        {
            SkipReason = $"the CLI build is missing at {CliProcess.DllPath}.";
            return;
        }
        // `--help` after an unknown command still prints the root help with exit 0, so look for serve's own usage line.
        var probe = await new CliProcess(NewConfigPath()).RunAsync("serve", "--help");
        if (probe.Exit != 0 || !probe.Out.Contains("octopus serve", StringComparison.Ordinal))
        {
            SkipReason = "the CLI has no `serve` command yet (Octopus.Server is wired into the CLI on main); " +
                         "these tests start the server with `octopus serve` and run once it exists.";
            return;
        }

        var port = TestProcesses.FreeLoopbackPort();
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { CliProcess.DllPath, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", Path.Combine(_dir, "data") })
            start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_ADMIN_PASSWORD"] = AdminPassword;
        start.Environment["OCTOPUS_CONFIG"] = NewConfigPath();
        // Short simulated operations: the tests still see transitional states, without waiting seconds for each.
        start.Environment["Octopus__Simulation__OperationDelay"] = "00:00:00.200";
        start.Environment["Octopus__Simulation__PowerTransitionDelay"] = "00:00:00.200";
        start.Environment["Octopus__Scheduler__Interval"] = "00:00:00.050";

        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => Append(e.Data);
        _server.ErrorDataReceived += (_, e) => Append(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        await TestProcesses.WaitForHealthAsync(_server!, Url, () => ServerLog);

        Admin = new CliProcess(NewConfigPath());
        var login = await Admin.RunWithInputAsync(AdminPassword + "\n", "login", "--url", Url, "--user", "admin", "--password-stdin");
        if (login.Exit != 0) throw new InvalidOperationException($"admin login failed ({login.Exit}): {login.Err}\n{ServerLog}");
    }


    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }


    public async ValueTask DisposeAsync()
    {
        await TestProcesses.StopAsync(_server);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying server; the temp folder is cleaned by the OS eventually.
        }
    }
}
