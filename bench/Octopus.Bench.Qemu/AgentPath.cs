using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Octopus.Agent;
using Octopus.Contracts.Agents;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Processes;

/// <summary>The same figures through the agent path: two in-process agents on loopback, driven over the signed agent
/// protocol exactly as the server drives them (HTTP, HMAC signatures, migration ticket, NDJSON progress). Registration is
/// short-circuited (the secrets are set directly): no server is needed.</summary>
internal static class AgentPath
{
    public sealed record Figures(List<double> CreateSeconds, List<AgentMigrationReport> Migrations, List<double> MigrationWallMs);

    public static async Task<Figures> RunAsync(string root, string storage, string image, DirectKernelBoot boot, int runs)
    {
        var agents = new List<(WebApplication App, Guid Id, string Secret, Uri Url)>();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var figures = new Figures([], [], []);
        var vms = new List<(Guid Vm, int Agent)>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var port = FreePort();
                var app = AgentHost.Build(new AgentOptions
                {
                    Listen = $"127.0.0.1:{port}", Data = Path.Combine(root, $"g{i}"), Storage = storage, Server = "http://127.0.0.1:1", Token = "unused",
                    Name = $"bench-{i}", Kernel = boot.Kernel, Initrd = boot.Initrd, Append = boot.Append,
                }, b =>
                {
                    foreach (var d in b.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ServerLink)).ToList())
                        b.Services.Remove(d);
                });
                await AgentHost.StartAsync(app, CancellationToken.None);
                var id = Guid.NewGuid();
                var secret = AgentSignature.NewSecret();
                app.Services.GetRequiredService<AgentState>().Registered(id, secret);
                agents.Add((app, id, secret, new Uri($"http://127.0.0.1:{port}")));
            }
            var qemuImg = new QemuImg();

            for (var r = 0; r < runs; r++)
            {
                var vm = Guid.CreateVersion7();
                var disk = $"agent-bench-{vm:N}.qcow2";
                await qemuImg.CreateChildAsync(image, Path.Combine(storage, disk), CancellationToken.None);
                var sw = Stopwatch.StartNew();
                await SendAsync<AgentOperationResult>(http, agents[0], HttpMethod.Post, $"{AgentRoutes.VmOf(vm)}/create", new AgentCreateRequest($"agent-bench-{r}", 1, 128L << 20, disk));
                vms.Add((vm, 0));
                await WaitForConsoleAsync(http, agents[0], vm, c => c.Contains("OCTOPUS-GUEST-READY", StringComparison.Ordinal));
                figures.CreateSeconds.Add(sw.Elapsed.TotalSeconds);
                Console.WriteLine($"  agent path create #{r + 1}: guest ready after {sw.Elapsed.TotalSeconds:0.00} s (signed HTTP → agent → QEMU)");
            }

            var (mvm, from) = vms[^1];
            for (var r = 0; r < runs; r++)
            {
                var to = 1 - from;
                var ticket = AgentSignature.Ticket(agents[to].Secret, mvm, DateTimeOffset.UtcNow.AddMinutes(5));
                var sw = Stopwatch.StartNew();
                using var request = SignedRequests.Create(HttpMethod.Post, agents[from].Url, $"{AgentRoutes.VmOf(mvm)}/migrate",
                    new AgentMigrateRequest(agents[to].Id, agents[to].Url.ToString(), ticket, false), agents[from].Id, agents[from].Secret, AgentSignature.FromServer, DateTimeOffset.UtcNow);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                AgentMigrationReport? report = null;
                while (await reader.ReadLineAsync() is { } line)
                {
                    var e = JsonSerializer.Deserialize<AgentMigrationEvent>(line, SignedRequests.Json)!;
                    if (e.Error is not null) throw new DriverException(e.Error);
                    report ??= e.Report;
                }
                sw.Stop();
                if (report is null) throw new DriverException("the agent ended the migration without a report.");
                figures.Migrations.Add(report);
                figures.MigrationWallMs.Add(sw.Elapsed.TotalMilliseconds);
                Console.WriteLine($"  agent path migrate #{r + 1}: total {report.TotalMs:0} ms, downtime {report.DowntimeMs:0} ms, wall (server's view) {sw.Elapsed.TotalMilliseconds:0} ms");
                from = to;
            }
            vms[^1] = (mvm, from);
            return figures;
        }
        finally
        {
            foreach (var (vm, a) in vms)
            {
                try { await SendAsync<AgentOperationResult>(http, agents[a], HttpMethod.Post, $"{AgentRoutes.VmOf(vm)}/delete", new { }); }
                catch (Exception e) when (e is HttpRequestException or DriverException) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
            }
            foreach (var (app, _, _, _) in agents)
            {
                await app.StopAsync();
                await app.Services.GetRequiredService<QemuNodeDriver>().DisposeAsync();
                await app.DisposeAsync();
            }
        }
    }

    private static async Task<T> SendAsync<T>(HttpClient http, (WebApplication App, Guid Id, string Secret, Uri Url) agent, HttpMethod method, string path, object? body)
    {
        using var request = SignedRequests.Create(method, agent.Url, path, body, agent.Id, agent.Secret, AgentSignature.FromServer, DateTimeOffset.UtcNow);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new DriverException($"{path}: {await AgentProblems.DetailAsync(response, CancellationToken.None)}");
        return (await response.Content.ReadFromJsonAsync<T>(SignedRequests.Json))!;
    }

    private static async Task WaitForConsoleAsync(HttpClient http, (WebApplication App, Guid Id, string Secret, Uri Url) agent, Guid vm, Func<string, bool> until)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            var c = await SendAsync<AgentConsoleResponse>(http, agent, HttpMethod.Get, $"{AgentRoutes.VmOf(vm)}/console?maxBytes=65536", null);
            if (until(c.Text)) return;
            await Task.Delay(50);
        }
        throw new DriverException($"VM {vm}: the console did not show the ready marker within 60 s.");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
