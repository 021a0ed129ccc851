using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Octopus.Contracts;

using Octopus.TestKit;

namespace Octopus.Web.Tests.Browser;

/// <summary>A real <c>octopus serve</c> process on a free 127.0.0.1 port with its own temporary data folder, for the
/// browser tests; killed by PID at the end. Also finds the node scripts and the system Chromium, and says why the
/// browser tests cannot run when something is missing (outside CI they skip; with CI=true they fail).</summary>
public sealed class WebServerFixture : IAsyncLifetime
{
    public const string AdminPassword = "web-admin-Passw0rd";
    public static readonly string Chromium = Environment.GetEnvironmentVariable("OCTOPUS_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly string _dir = Directory.CreateTempSubdirectory("octopus-web-").FullName;
    private readonly StringBuilder _log = new();
    private Process? _server;

    public string Url { get; private set; } = "";
    public string RepositoryRoot { get; } = TestProcesses.RepositoryRoot();
    public string BrowserDirectory => Path.Combine(RepositoryRoot, "tests", "Octopus.Web.Tests", "browser");
    public string Screenshots => Path.Combine(RepositoryRoot, "artifacts", "screenshots");
    public string? Missing { get; private set; }

    public string ServerLog
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Skips the test (or fails it in CI) when Chromium, node or playwright-core is missing.</summary>
    public void RequireBrowser()
    {
        if (Missing is null) return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"browser tests cannot run in CI: {Missing}. scripts/install-deps should have installed it.");
        Assert.Skip($"{Missing}; run `bash scripts/install-deps` to install Chromium and the npm test package.");
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium)) Missing = $"{Chromium} is missing (Debian package chromium)";
        else if (!Directory.Exists(Path.Combine(BrowserDirectory, "node_modules", "playwright-core"))
            || !Directory.Exists(Path.Combine(BrowserDirectory, "node_modules", "axe-core"))) Missing = $"{BrowserDirectory}/node_modules is missing or stale (npm ci)";
        else if (!CanRun("node", "--version")) Missing = "node is missing";
        if (Missing is not null) return;

        var dll = Path.Combine(AppContext.BaseDirectory, "octopus.dll");
        var port = TestProcesses.FreeLoopbackPort();
        Url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", Path.Combine(_dir, "data") })
            start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_ADMIN_PASSWORD"] = AdminPassword;
        start.Environment["OCTOPUS_CONFIG"] = Path.Combine(_dir, "cli.json");
        // Operations take a little while, so the page shows Pending/Starting before Running (the live update is visible).
        start.Environment["Octopus__Simulation__OperationDelay"] = "00:00:00.800";
        start.Environment["Octopus__Simulation__PowerTransitionDelay"] = "00:00:00.300";
        start.Environment["Octopus__Scheduler__Interval"] = "00:00:00.100";
        // Every browser test logs in from 127.0.0.1 to this one server, several times each, as many users behind one
        // address would: the default limit (20 logins a minute per address, LoginDefenceTests checks it) refused the
        // later ones with 429 when the tests ran quickly.
        start.Environment["Octopus__Login__PerAddressPermits"] = "1000";
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => Append(e.Data);
        _server.ErrorDataReceived += (_, e) => Append(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await TestProcesses.WaitForHealthAsync(_server!, Url, () => ServerLog);

        using var admin = await ClientAsync("admin", AdminPassword);
        foreach (var user in new[] { "alice", "bob" })
        {
            var quota = new QuotaDto(MaxCores: 8, MaxMemoryBytes: 16L << 30, MaxDiskBytes: 200L << 30, MaxVms: 5);
            using var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, PasswordOf(user), "user", quota));
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"creating {user}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        }
    }

    public static string PasswordOf(string user) => $"{user}-Passw0rd-web";

    /// <summary>An API client logged in with a bearer token.</summary>
    public async Task<HttpClient> ClientAsync(string user, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        using var r = await http.PostAsJsonAsync("/api/v1/auth/token", new TokenRequest(user, password));
        r.EnsureSuccessStatusCode();
        var token = (await r.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Creates a small VM for <paramref name="client"/>'s user (on <paramref name="networks"/>, if given) and waits
    /// (at most 30 s) until it runs.</summary>
    public async Task<VmDto> CreateRunningVmAsync(HttpClient client, string name, IReadOnlyList<string>? networks = null)
    {
        using var created = await client.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest(name, 1, 512L << 20, 4L << 30, "debian-12", Networks: networks));
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"creating {name}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var vm = (await created.Content.ReadFromJsonAsync<VmDto>())!;
        for (var i = 0; i < 300 && vm.State != "Running"; i++)
        {
            await Task.Delay(100);
            vm = (await client.GetFromJsonAsync<VmDto>($"/api/v1/vms/{vm.Id}"))!;
        }
        if (vm.State != "Running") throw new InvalidOperationException($"{name} is {vm.State} after 30 s: {vm.StatusReason}");
        return vm;
    }

    /// <summary>Runs <c>node scenarios/NAME.mjs</c> against the server; returns its exit code and output.</summary>
    public async Task<(int Exit, string Out, string Err)> RunScenarioAsync(string name, IDictionary<string, string>? env = null)
    {
        Directory.CreateDirectory(Screenshots);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = BrowserDirectory };
        start.ArgumentList.Add(Path.Combine("scenarios", name + ".mjs"));
        start.Environment["OCTOPUS_URL"] = Url;
        start.Environment["OCTOPUS_CHROMIUM"] = Chromium;
        start.Environment["SCREENSHOTS"] = Screenshots;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            return (-1, await stdout, await stderr + "\nscenario timed out after 3 minutes");
        }
        return (node.ExitCode, await stdout, await stderr);
    }


    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static bool CanRun(string file, string arg)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, arg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null) return false;
            p.WaitForExit(10_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }



    public async ValueTask DisposeAsync()
    {
        await TestProcesses.StopAsync(_server);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One server for every browser test class (user pages, policies, the admin pages).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<WebServerFixture>
{
    public const string Name = "browser";
}
