using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>The Octopus server under test, run as a child process (this same program with <c>--serve</c>) so that its CPU
/// time and memory can be read from /proc by PID, apart from the client threads'. Stopped by closing its stdin, then by
/// PID if it does not exit.</summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, StreamWriter log, Uri url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public Uri Url { get; }
    public int Pid => _process.Id;

    /// <summary>Starts <c>octopus serve</c>'s code path in a child process and waits for its "listening" line. The child's
    /// output goes to <paramref name="logFile"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, string configFile, string adminPassword, string logFile)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("no process path"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Under `dotnet run` the process path is the app host; under `dotnet X.dll` it is dotnet itself.
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet") info.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        foreach (var a in new[] { "--serve", "--data", dataDirectory, "--config", configFile }) info.ArgumentList.Add(a);
        info.Environment["OCTOPUS_ADMIN_PASSWORD"] = adminPassword;
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("the server process did not start");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"the server exited ({process.ExitCode}); see {logFile}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = await listening.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return new ServerProcess(process, log, url);
    }

    /// <summary>User plus system CPU time the server has used so far (/proc/PID/stat, in clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": field 3 is fields[0]
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>The server's peak resident set size so far (VmHWM in /proc/PID/status), in bytes.</summary>
    public long PeakRssBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    // USER_HZ: 100 on every Linux the project runs on; getconf asked once to be sure.
    private static readonly int ClockTicksPerSecond = GetConf("CLK_TCK") ?? 100;

    private static int? GetConf(string name)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("getconf", name) { RedirectStandardOutput = true });
            var text = p?.StandardOutput.ReadToEnd().Trim();
            p?.WaitForExit();
            return int.TryParse(text, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the child stops when its stdin ends
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: false); await _process.WaitForExitAsync(); }
        }
        finally
        {
            _process.Dispose();
            lock (_log) _log.Dispose();
        }
    }

    [GeneratedRegex(@"Octopus listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
