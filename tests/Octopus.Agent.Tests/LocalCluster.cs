global using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Octopus.Agent;
using Octopus.Contracts;
using Octopus.Server;

using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>A real cluster in this process: the server on Kestrel (loopback, free port) with the qemu driver, and agents
/// on their own loopback ports, each with its own short data folder, all sharing one storage folder. QEMU processes are
/// real; on dispose every QEMU started under the cluster's root is killed by pid.</summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string JoinToken = "test-join-token-0123456789";
    public const string QemuBinary = "/usr/bin/qemu-system-x86_64";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<WebApplication> _agents = [];

    private LocalCluster(string root, GuestFiles guest)
    {
        Root = root;
        Guest = guest;
    }

    /// <summary>Short (QMP socket paths must fit in 107 bytes).</summary>
    public string Root { get; }
    public GuestFiles Guest { get; }
    public string Storage => Path.Combine(Root, "s");
    public string ServerData => Path.Combine(Root, "srv");
    public string ImportFolder => Path.Combine(ServerData, "import");
    public WebApplication Server { get; private set; } = null!;
    public string ServerUrl { get; private set; } = "";
    public IReadOnlyList<WebApplication> Agents => _agents;

    /// <summary>Why the real-QEMU tests cannot run here, or null.</summary>
    public static string? SkipReason => File.Exists(QemuBinary) ? null : $"{QemuBinary} is not installed (scripts/install-deps installs it; CI runs it).";

    /// <summary>Starts the server and <paramref name="agents"/> in-process agents. <paramref name="extraConfig"/> is
    /// appended to the <c>Octopus</c> section (start it with a comma); <paramref name="scheduler"/> to its
    /// <c>Scheduler</c> section (likewise).</summary>
    public static async Task<LocalCluster> StartAsync(int agents, string? extraConfig = null, string? scheduler = null)
    {
        var guest = await GuestFiles.BuildAsync();
        var root = Directory.CreateTempSubdirectory("oa-").FullName;
        var cluster = new LocalCluster(root, guest);
        try
        {
            Directory.CreateDirectory(cluster.Storage);
            Directory.CreateDirectory(cluster.ImportFolder);
            await cluster.StartServerAsync(extraConfig, scheduler);
            for (var i = 1; i <= agents; i++) await cluster.StartAgentAsync($"a{i}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartServerAsync(string? extraConfig, string? scheduler)
    {
        var config = Path.Combine(Root, "server.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Octopus": {
                "Driver": "qemu",
                "Agents": { "JoinToken": "{{JoinToken}}", "HeartbeatTimeout": "00:00:05" },
                "Storage": { "Backend": "qemu-img", "Folder": "{{Storage}}", "GracePeriod": "00:00:00" },
                "Images": [ { "Name": "placeholder", "Size": "64MiB" } ],
                "Scheduler": { "Interval": "00:00:00.2" {{scheduler}} }
                {{extraConfig}}
              }
            }
            """);
        Server = OctopusServer.Build(new ServerCommandLine(Port: 0, DataDirectory: ServerData, ConfigFile: config));
        await OctopusServer.PrepareStoreAsync(Server.Services, Octopus.TestKit.TestServerApp.AdminPassword, CancellationToken.None);
        await Server.StartAsync();
        ServerUrl = OctopusServer.ListeningUrl(Server);
    }

    public async Task<WebApplication> StartAgentAsync(string name)
    {
        var app = AgentHost.Build(new AgentOptions
        {
            Listen = $"127.0.0.1:{TestProcesses.FreeLoopbackPort()}", Data = Path.Combine(Root, name), Storage = Storage, Server = ServerUrl, Token = JoinToken,
            Name = name, Cores = 2, MemoryBytes = 2L << 30, Kernel = Guest.Kernel, Initrd = Guest.Initrd, Append = Guest.Append,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        });
        await AgentHost.StartAsync(app, CancellationToken.None);
        _agents.Add(app);
        return app;
    }

    /// <summary>Stops an agent the way a crash would look to the server (it goes silent); its QEMUs keep running.</summary>
    public async Task StopAgentAsync(WebApplication agent)
    {
        await agent.StopAsync();
        await agent.Services.GetRequiredService<Octopus.Drivers.Qemu.QemuNodeDriver>().DisposeAsync();
        await agent.DisposeAsync();
        _agents.Remove(agent);
    }

    public async Task<HttpClient> AdminAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(ServerUrl) };
        var r = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", Octopus.TestKit.TestServerApp.AdminPassword));
        r.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await r.Content.ReadFromJsonAsync<TokenResponse>(Json))!.Token);
        return http;
    }

    /// <summary>Polls until <paramref name="check"/> returns a value, or fails after <paramref name="timeout"/> with the last state.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> check, TimeSpan timeout, string what) where T : class
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (await check() is { } value) return value;
            if (sw.Elapsed > timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(200);
        }
    }

    /// <summary>PIDs of live QEMU processes whose command line mentions this cluster's root.</summary>
    public IReadOnlyList<int> QemuProcesses() => QemuProcessesUnder(Root);

    /// <summary>PIDs of live QEMU processes whose command line mentions <paramref name="root"/> (a test's own folder).</summary>
    public static IReadOnlyList<int> QemuProcessesUnder(string root)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith(QemuBinary, StringComparison.Ordinal) && cmdline.Contains(root + "/", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }


    public async ValueTask DisposeAsync()
    {
        foreach (var a in _agents.ToList())
        {
            try { await StopAgentAsync(a); } catch (Exception) { /* best effort */ }
        }
        if (Server is not null)
        {
            try { await Server.StopAsync(); await Server.DisposeAsync(); } catch (Exception) { /* best effort */ }
        }
        foreach (var pid in QemuProcesses())
        {
            try { Process.GetProcessById(pid).Kill(); } catch (Exception) { /* gone */ }
        }
        for (var i = 0; i < 100 && QemuProcesses().Count > 0; i++) await Task.Delay(50);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The test guest from scripts/build-test-guest (cached in ~/.cache/octopus/guest).</summary>
public sealed record GuestFiles(string Kernel, string? Initrd, string Append, string Disk)
{
    public static async Task<GuestFiles> BuildAsync()
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
        var guestDir = (await stdout).Trim().Split('\n')[^1];
        var env = File.ReadAllLines(Path.Combine(guestDir, "guest.env")).Select(l => l.Split('=', 2)).Where(x => x.Length == 2)
            .ToDictionary(x => x[0], x => x[1].Trim('"'));
        return new GuestFiles(env["KERNEL"], env["INITRD"], env["APPEND"], env["DISK"]);
    }
}
