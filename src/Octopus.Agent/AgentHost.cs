using Octopus.Domain.Hosts;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Agent;

/// <summary>Builds and runs the agent: one <see cref="QemuNodeDriver"/> over the data folder (re-adopting running QEMUs
/// first, so an agent restart never kills a VM), the HTTP endpoints, and the link to the server.</summary>
public static partial class AgentHost
{
    /// <summary>Builds the agent (not started). Throws <see cref="AgentConfigurationException"/> on bad options.</summary>
    public static WebApplication Build(AgentOptions options, Action<WebApplicationBuilder>? customize = null)
    {
        var resolved = options.Validate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [], ContentRootPath = AppContext.BaseDirectory, EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(resolved.Listen);
            k.AddServerHeader = false;
        });
        var services = builder.Services;
        services.AddSingleton(resolved);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AgentState>();
        // The node's networking is the driver's tap plumbing, and also takes the names the server publishes (endpoint
        // networks/{name}/names); it asks the driver for the NICs defined here when it serves.
        services.AddSingleton(sp => new AgentNetworkSlot(OperatingSystem.IsLinux() ? Network(resolved, () => sp.GetRequiredService<QemuNodeDriver>().AllNics()) : null));
        services.AddSingleton(sp => new QemuNodeDriver(new HostId(Guid.Empty), resolved.Qemu, resolved.Boot, sp.GetRequiredService<TimeProvider>(), new QemuImg(),
            sp.GetRequiredService<AgentNetworkSlot>().Network));
        services.AddSingleton<AgentReporter>();
        services.AddHttpClient("server", c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient("peers", c => c.Timeout = TimeSpan.FromMinutes(5));
        services.AddHostedService<ServerLink>();
        services.AddProblemDetails();
        customize?.Invoke(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapAgentEndpoints();
        app.MapGet("/", () => Results.Text($"octopus agent {resolved.Name}\n"));
        return app;
    }

    /// <summary>The node's networking (bridges, taps, dnsmasq, nftables) in the agent's network namespace, with its
    /// dnsmasq state under {data}/net and the names the server published under {data}/net/names.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static AgentNetwork Network(ResolvedAgentOptions o, Func<IReadOnlyList<Drivers.TapPort>> defined)
    {
        var net = new Drivers.Network.HostNetworkOptions { Namespace = o.Qemu.NetworkNamespace, StateFolder = Path.Combine(o.Data, "net") };
        var run = new Drivers.Network.Processes.CommandRunner(net);
        return new AgentNetwork(new Drivers.Network.Bridges.LinuxBridgeDriver(run, net), new Drivers.Network.Dhcp.DnsmasqServer(run, net),
            new Drivers.Network.Firewall.NftablesFirewall(run, net), defined, o.Uplink, Path.Combine(net.StateFolder, "names"));
    }

    /// <summary>Re-adopts the VMs of the data folder, then starts listening and linking to the server.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken ct)
    {
        var driver = app.Services.GetRequiredService<QemuNodeDriver>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Octopus.Agent");
        foreach (var found in await driver.RecoverAsync(ct)) LogRecovered(log, found.Vm.ToString(), found.Outcome.ToString(), found.Reason);
        await app.StartAsync(ct);
    }

    /// <summary>Runs <c>octopus agent</c> until stopped; returns the exit code (2 on bad options or a busy port).</summary>
    public static async Task<int> RunAsync(AgentOptions options, TextWriter output, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = Build(options);
        }
        catch (AgentConfigurationException e)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        await using (app)
        {
            var resolved = app.Services.GetRequiredService<ResolvedAgentOptions>();
            try
            {
                await StartAsync(app, ct);
            }
            catch (IOException e)
            {
                await output.WriteLineAsync($"error: cannot listen on {resolved.Listen}: {e.Message} Use --listen with another port.");
                return 2;
            }
            await output.WriteLineAsync($"Octopus agent {resolved.Name} listening on {resolved.Url} (data: {resolved.Data}, storage: {resolved.Storage}, server: {resolved.Server})");
            await output.FlushAsync(ct);
            await app.WaitForShutdownAsync(ct);
            // The driver's disposal closes QMP connections and leaves QEMU running (a restarted agent re-adopts them).
            await app.Services.GetRequiredService<QemuNodeDriver>().DisposeAsync();
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "VM {Vm}: {Outcome} ({Reason})")]
    private static partial void LogRecovered(ILogger logger, string vm, string outcome, string reason);
}
