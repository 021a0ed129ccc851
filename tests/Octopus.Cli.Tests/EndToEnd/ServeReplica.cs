using System.Diagnostics;
using System.Globalization;
using System.Text;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>One <c>octopus serve</c> process (the built CLI) on a PostgreSQL store, on a free loopback port, with a
/// data folder it may share with other replicas; signalled and stopped by its PID only.</summary>
internal sealed class ServeReplica : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServeReplica(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }
    public string Url { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the replica on <paramref name="database"/> (any Npgsql connection string, multi-host too) and waits
    /// until <c>/api/v1/health</c> answers.</summary>
    public static async Task<ServeReplica> StartAsync(string name, string database, string folder, string adminPassword)
    {
        var port = TestProcesses.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliProcess.DllPath, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--data", folder }) start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_ADMIN_PASSWORD"] = adminPassword;
        start.Environment["Octopus__Store__Provider"] = "postgres";
        start.Environment["Octopus__Store__ConnectionString"] = database;
        start.Environment["Octopus__Simulation__OperationDelay"] = "00:00:00.300";
        var replica = new ServeReplica(name, Process.Start(start)!, $"http://127.0.0.1:{port}");
        replica._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (replica._log) replica._log.AppendLine(e.Data); };
        replica._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (replica._log) replica._log.AppendLine(e.Data); };
        replica._process.BeginOutputReadLine();
        replica._process.BeginErrorReadLine();
        await TestProcesses.WaitForHealthAsync(replica._process, replica.Url, () => replica.Log);
        return replica;
    }

    /// <summary>Sends a signal to this replica's process, by its PID.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) Signal("CONT"); } catch (InvalidOperationException) { }
        await TestProcesses.StopAsync(_process);
    }
}
