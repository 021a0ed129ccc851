using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Octopus.TestKit;

/// <summary>What tests that start real processes (servers, agents, browsers) share: a free loopback port, the repository
/// root, and stopping a process tree they started.</summary>
public static class TestProcesses
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root: the first folder above the test binaries holding Octopus.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Octopus.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above " + AppContext.BaseDirectory);
    }

    /// <summary>Polls <c>GET {url}/api/v1/health</c> until it answers 200 (up to 90 s); fails at once, with the server's
    /// log, if the process exits first.</summary>
    public static async Task WaitForHealthAsync(Process server, string url, Func<string> serverLog)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited) throw new InvalidOperationException($"octopus serve exited with {server.ExitCode}:\n{serverLog()}");
            try
            {
                using var response = await http.GetAsync(new Uri(url + "/api/v1/health"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first answer while the store migrates.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"octopus serve did not answer /api/v1/health within 90 s:\n{serverLog()}");
    }

    /// <summary>Kills the process and its children (by PID) if still running, waits up to 10 s, and disposes it.</summary>
    public static async Task StopAsync(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }
}
