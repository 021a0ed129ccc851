using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Octopus.Contracts;

/// <summary>One server replica: this same program with <c>--serve</c> (<c>octopus serve</c>'s code path) in a child process
/// on a loopback port of its own, on the store the environment names. Signalled and stopped by its PID only.</summary>
internal sealed partial class ReplicaProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private bool _stopped;

    private ReplicaProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public Uri Url { get; private set; } = null!;
    /// <summary>Logged in as admin on this replica.</summary>
    public HttpClient Http { get; private set; } = null!;
    /// <summary>This replica's id (<c>Self</c> of its <c>GET /api/v1/cluster</c>).</summary>
    public Guid Id { get; private set; }
    public bool Exited => _process.HasExited;
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts a replica and waits until it listens, logs in as admin and knows its replica id.</summary>
    public static async Task<ReplicaProcess> StartAsync(string name, string dataDirectory, string configFile, string adminPassword,
        IReadOnlyDictionary<string, string> store)
    {
        var port = FreePort();
        var info = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("no process path"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Under `dotnet run` the process path is the app host; under `dotnet X.dll` it is dotnet itself.
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet") info.ArgumentList.Add(typeof(ReplicaProcess).Assembly.Location);
        foreach (var a in new[] { "--serve", "--data", dataDirectory, "--config", configFile, "--port", port.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        info.Environment["OCTOPUS_ADMIN_PASSWORD"] = adminPassword;
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in store) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("the replica process did not start");
        var replica = new ReplicaProcess(name, process);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (replica._log) replica._log.AppendLine(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (replica._log) replica._log.AppendLine(e.Data); };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"replica {name} exited ({process.ExitCode}):\n{replica.Log}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            replica.Url = await listening.Task.WaitAsync(TimeSpan.FromMinutes(3));
            replica.Http = await LoginAsync(replica.Url, adminPassword);
            replica.Id = (await replica.ClusterAsync(TimeSpan.FromSeconds(30)))!.Self;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
        return replica;
    }

    /// <summary>This replica's view of the cluster, or null when it does not answer within <paramref name="timeout"/>.</summary>
    public async Task<ClusterDto?> ClusterAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            return await Http.GetFromJsonAsync<ClusterDto>(ApiRoutes.Cluster, JsonSerializerOptions.Web, cts.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>kill -9: the process dies at once (its sockets are closed by the kernel).</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Sends SIGSTOP or SIGCONT to this replica's PID.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, Pid.ToString(CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        _stopped = signal == "STOP";
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                if (_stopped) Signal("CONT");
                _process.StandardInput.Close(); // the child stops when its stdin ends
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try { await _process.WaitForExitAsync(wait.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: false); await _process.WaitForExitAsync(); }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static async Task<HttpClient> LoginAsync(Uri url, string password)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", password));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(JsonSerializerOptions.Web);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        return http;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Octopus listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
