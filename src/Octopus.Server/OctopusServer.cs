using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Octopus.Domain.Users;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.Persistence;
using Octopus.Scheduling.Placement;
using Octopus.Server.Api;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Configuration;
using Octopus.Server.Configuration;
using Octopus.Application.Control;
using Octopus.Application.Disks;
using Octopus.Server.Observability;
using Octopus.Application.Policies;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.Application.Queries;
using Octopus.Server.Web;
using Prometheus;
using StoreOptions = Octopus.Server.Configuration.StoreOptions;

namespace Octopus.Server;

/// <summary>What <c>octopus serve</c> was given on its command line; each value overrides the configuration file.</summary>
public sealed record ServerCommandLine(int? Port = null, string? DataDirectory = null, string? ConfigFile = null, string? Bind = null, string? Driver = null);

/// <summary>Builds and runs the Octopus server: the composition root, and the only place that knows every part.</summary>
public static class OctopusServer
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Builds the app. Throws <see cref="ConfigurationException"/> when the configuration is wrong.</summary>
    /// <param name="commandLine">What <c>octopus serve</c> was given.</param>
    /// <param name="customize">Runs after the server's own services are registered.</param>
    /// <param name="extraConfiguration">Configuration keys that override the file and the command line (tests choose their
    /// store with it).</param>
    public static WebApplication Build(ServerCommandLine commandLine, Action<WebApplicationBuilder>? customize = null,
        IReadOnlyDictionary<string, string?>? extraConfiguration = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [], ContentRootPath = AppContext.BaseDirectory, EnvironmentName = Environments.Production,
        });
        if (commandLine.ConfigFile is { } file)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full)) throw new ConfigurationException("--config", $"the file {full} does not exist.");
            builder.Configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        var overrides = new Dictionary<string, string?>();
        if (commandLine.Port is { } port) overrides["Octopus:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (commandLine.DataDirectory is { } data) overrides["Octopus:DataDirectory"] = data;
        if (commandLine.Bind is { } bind) overrides["Octopus:Bind"] = bind;
        if (commandLine.Driver is { } driver) overrides["Octopus:Driver"] = driver;
        builder.Configuration.AddInMemoryCollection(overrides);
        if (extraConfiguration is not null) builder.Configuration.AddInMemoryCollection(extraConfiguration);

        // The composition root chooses its parts from a few sections, read (and checked) now: Octopus's own keys (where
        // to listen, which driver), Store, and Identity's provider (in AddOctopusIdentity). Every section, these included,
        // is bound to its options class and checked again when the host is built.
        var server = OctopusSections.Read<ServerOptions, ServerOptionsValidator>(builder.Configuration, ServerOptions.Section, hasSubsections: true);
        var dataFolder = server.Data;
        var store = StoreSettings.Read(builder.Configuration, dataFolder);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The key ring seals BMC passwords (Server/Power/PowerSecrets); its "keys unencrypted at rest" warning is expected:
        // the data folder is the trust boundary.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication", LogLevel.Warning);
        // Start-up failures (port in use) are reported by RunAsync in one line; the host would also dump a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(server.BindAddress, server.Port);
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        AddSections(builder.Services);
        AddServices(builder.Services, dataFolder, store);
        AddNodeDrivers(builder.Services, server.AgentsRunVms);
        AddCrashPoint(builder.Services);
        builder.Services.AddOctopusDisks();
        builder.Services.AddOctopusPolicies();
        Application.Networks.NetworkServiceCollectionExtensions.AddOctopusNetworks(builder.Services);
        Identity.IdentityServiceCollectionExtensions.AddOctopusIdentity(builder.Services, builder.Configuration);
        customize?.Invoke(builder);

        var app = builder.Build();
        // Every options section is checked now, before anything reads it or touches the store.
        OctopusSections.ValidateAtStart(app.Services);
        Configure(app);
        return app;
    }

    /// <summary>The node drivers, chosen in this one place: the agents' (<c>Octopus:Driver</c> = qemu) or the simulated
    /// cluster's, each registering its power resolver under <see cref="BindingPowerDriverResolver.NodePowerKey"/>;
    /// then the binding resolver (ipmi, redfish, wol) over it.</summary>
    private static void AddNodeDrivers(IServiceCollection services, bool agentsRunVms)
    {
        if (agentsRunVms)
        {
            Application.Agents.AgentServiceCollectionExtensions.AddOctopusAgents(services);
        }
        else
        {
            services.AddSingleton<INodeDriverResolver>(sp => new SimulatedNodeResolver(sp.GetRequiredService<SimulatedCluster>()));
            services.AddKeyedSingleton<IPowerDriverResolver>(BindingPowerDriverResolver.NodePowerKey,
                (sp, _) => new SimulatedPowerDriver(sp.GetRequiredService<SimulatedCluster>()));
            services.AddSingleton(new LiveDiskSwitching(ThroughNodeDriver: false));
        }
        services.AddBoundPowerDrivers();
    }

    /// <summary>The crash tests' knob (<see cref="CrashAtStepBoundary"/>, environment variable
    /// <c>OCTOPUS_CRASH_AT</c>): when set, the operation runner kills the process at that step boundary. A bad value
    /// stops the start with a configuration error saying what is accepted.</summary>
    private static void AddCrashPoint(IServiceCollection services)
    {
        CrashAtStepBoundary? crash;
        try
        {
            crash = CrashAtStepBoundary.Parse(Environment.GetEnvironmentVariable(CrashAtStepBoundary.Variable));
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(CrashAtStepBoundary.Variable, e.Message);
        }
        if (crash is null) return;
        Console.Error.WriteLine($"octopus: {CrashAtStepBoundary.Variable} is set: this server kills itself at {crash.Describe} (a testing knob; never set it in production).");
        services.AddSingleton<IStepBoundaries>(crash);
    }

    /// <summary>Every options section the server reads, each bound to its class and checked at start-up
    /// (<see cref="OctopusSections.ValidateAtStart"/>).</summary>
    private static void AddSections(IServiceCollection services)
    {
        services.AddOctopusSection<ServerOptions, ServerOptionsValidator>(ServerOptions.Section, hasSubsections: true);
        services.AddOctopusSection<StoreOptions, StoreOptionsValidator>(StoreOptions.Section);
        services.AddOctopusSection<ClusterOptions, ClusterOptionsValidator>(ClusterOptions.Section);
        services.AddOctopusSection<ImageOptions, ImageOptionsValidator>(ImageOptions.Section);
        services.AddOctopusSection<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.Section);
        services.AddOctopusSection<Application.Agents.AgentOptions, Application.Agents.AgentOptionsValidator>(Application.Agents.AgentOptions.Section);
        services.AddOctopusSection<SimulationOptions, SimulationOptionsValidator>(SimulationOptions.Section);
        services.AddOctopusSection<AuthOptions, AuthOptionsValidator>(AuthOptions.Section);
        services.AddOctopusSection<QuotaOptions, QuotaOptionsValidator>(QuotaOptions.Section);
        services.AddOctopusSection<MetricsOptions, MetricsOptionsValidator>(MetricsOptions.Section);
    }

    internal static void AddServices(IServiceCollection services, DataFolder data, StoreSettings store)
    {
        services.AddSingleton(data);
        services.AddSingleton(store);
        services.AddSingleton(TimeProvider.System);
        // The factory also registers the context per scope; long-lived services (disk catalog, agents, settings) make
        // one short-lived context per call from it.
        // Every context's saves also tell the token cache what they change (Application/Auth/TokenCacheInvalidator).
        services.AddSingleton<Application.Auth.TokenCache>();
        services.AddSingleton<Application.Auth.TokenCacheInvalidator>();
        services.AddDbContextFactory<OctopusDbContext>((sp, o) =>
        {
            store.Configure((DbContextOptionsBuilder<OctopusDbContext>)o);
            o.AddInterceptors(sp.GetRequiredService<Application.Auth.TokenCacheInvalidator>());
        });
        services.AddSingleton<Persistence.Settings.SettingsStore>();
        services.AddSingleton<Persistence.Agents.AgentRegistrationStore>();

        services.AddSingleton(sp =>
        {
            // A 0c1667b data folder kept the simulated cluster's state beside the store: it moves to its own folder first.
            Application.Upgrade.LegacyDataFolder.MoveSimulatedClusterState(data);
            var simulation = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SimulationOptions>>().Value;
            return new SimulatedCluster(new SimulatedClusterOptions
            {
                OperationDelay = simulation.OperationDelay, PowerTransitionDelay = simulation.PowerTransitionDelay, Seed = simulation.Seed,
                StateFile = data.SimulatedClusterFile,
            }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<Application.Cluster.ILeaderTermListener, Application.Cluster.SimulatedClusterTakeover>();
        services.AddSingleton<RuntimeSpecs>();

        services.AddSingleton(sp => Placer.Create(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SchedulerOptions>>().Value.Placement()));
        services.AddSingleton<Application.Identity.IPasswordHasher, Identity.AspNetPasswordHasher>();
        services.AddSingleton<Application.Cluster.ReplicaLeadership>();
        services.AddSingleton(Persistence.Providers.LeadershipTimeouts.Default);
        services.AddHostedService<Application.Cluster.LeaderElection>();
        services.AddScoped<Application.Cluster.ClusterQueries>();
        if (store.Wakeups() is { } wakeups)
        {
            // Replicas share the store: a wake-up travels through it to the leader, wherever the work was accepted.
            services.AddSingleton(wakeups);
            services.AddSingleton<StoreControlSignal>();
            services.AddSingleton<IControlSignal>(sp => sp.GetRequiredService<StoreControlSignal>());
            services.AddHostedService(sp => sp.GetRequiredService<StoreControlSignal>());
        }
        else services.AddSingleton<IControlSignal, ControlSignal>();
        services.AddSingleton<TelemetryCache>();
        services.AddSingleton<TelemetryHistory>();
        services.AddSingleton<Application.Cluster.ILeaderTermListener, TelemetryTakeover>();
        services.AddSingleton<OperationRunner>();
        services.AddSingleton<OperationProgressStore>();
        services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry()); // this server's own: several can live in one test process
        services.AddSingleton<OctopusMetrics>();
        services.AddSingleton<ControlPlaneMetrics>();
        services.AddSingleton<Application.Observability.IControlPlaneMetrics>(sp => sp.GetRequiredService<ControlPlaneMetrics>());
        services.AddHostedService<ControlLoop>();
        services.AddScoped<Application.Power.BmcReadingPass>();
        services.AddHostedService<Application.Power.BmcReadingLoop>();

        services.AddScoped<TokenService>();
        services.AddScoped<CommandRunner>();
        services.AddScoped<VmLookup>();
        services.AddScoped<OperationWaiter>();
        services.AddScoped<VmCommands>();
        services.AddScoped<HostCommands>();
        services.AddOctopusPowerConfig(data.Root);
        services.AddScoped<UserCommands>();
        services.AddScoped<VmQueries>();
        services.AddScoped<VmRuntimeQueries>();
        Consoles.ConsoleEndpoints.AddOctopusConsoles(services);
        services.AddScoped<HostQueries>();
        services.AddScoped<TelemetryQueries>();
        services.AddScoped<OperationQueries>();
        services.AddScoped<PlacementPass>();
        services.AddScoped<TelemetryPass>();
        services.AddScoped<EvacuationPass>();
        services.AddSingleton<Application.Consolidation.ConsolidationModeStore>();
        services.AddScoped<Application.Consolidation.ConsolidationPlanner>();
        services.AddScoped<Application.Consolidation.PlanCommitter>();
        services.AddScoped<Application.Consolidation.ConsolidationPass>();
        services.AddScoped<Bootstrap>();
        services.AddSingleton<Application.Power.PowerHistory>();
        services.AddSingleton<Application.Consolidation.PlanDismissal>();

        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddOctopusWeb();
        services.AddAuthorization();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.AllowTrailingCommas = false);
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Octopus API";
            doc.Info.Description = "Virtual-machine scheduler and manager. Authenticate with POST /api/v1/auth/token, then send 'Authorization: Bearer TOKEN'.";
            return Task.CompletedTask;
        }));
    }

    private static void Configure(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = Consoles.ConsoleEndpoints.KeepAlive });
        // Kestrel enforces MaxRequestBodySize on the stream; refusing a declared oversize body up front gives the same
        // 413 problem on every server (test host included) before any of it is read.
        app.Use((http, next) => http.Request.ContentLength > MaxRequestBodyBytes
            ? throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge)
            : next(http));
        var metrics = app.Services.GetRequiredService<OctopusMetrics>();
        app.UseHttpMetrics(o => o.SetMetricFactory(Metrics.WithCustomRegistry(metrics.Registry)));
        app.UseAuthentication();
        app.UseOctopusCsrf();
        Identity.IdentityServiceCollectionExtensions.UseOctopusIdentity(app);
        app.UseAuthorization();

        app.MapOctopusWeb();
        app.MapOctopusWebApi();
        app.MapOpenApi("/openapi/{documentName}.json");
        var scrape = app.MapMetrics("/metrics", metrics.Registry);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.RequireAuthentication)
            scrape.RequireAuthorization(p => p.RequireRole(nameof(Domain.Users.UserRole.Admin)));
        app.MapOctopusApi();
        app.MapOctopusDisks();
        Networks.NetworkEndpoints.MapOctopusNetworks(app);
        Provisioning.SshKeyEndpoints.MapOctopusSshKeys(app);
        Identity.IdentityEndpoints.MapOctopusIdentity(app);
        app.MapVmRuntime();
        Consoles.ConsoleEndpoints.MapOctopusConsoles(app);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>().Value.AgentsRunVms) Agents.AgentEndpoints.MapOctopusAgents(app);
        app.MapOctopusPolicies();
        app.MapOctopusOperations();
        Cluster.ClusterEndpoints.MapOctopusCluster(app);
        Power.PowerEndpoints.MapOctopusPower(app);
        app.MapOctopusVmActions();
        app.MapFallback((HttpContext http) =>
        {
            throw Domain.DomainException.NotFound("Route", $"{http.Request.Method} {http.Request.Path}");
        });
    }

    /// <summary>Runs <c>octopus serve</c>: prepares the store, prints where it listens (and the admin password once,
    /// on first start), serves until stopped. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(ServerCommandLine commandLine, TextWriter output, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = Build(commandLine);
        }
        catch (ConfigurationException e)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        await using (app)
        {
            var server = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>().Value;
            var data = app.Services.GetRequiredService<DataFolder>();
            try
            {
                Directory.CreateDirectory(data.Root);
                var generated = await PrepareStoreAsync(app.Services, Environment.GetEnvironmentVariable("OCTOPUS_ADMIN_PASSWORD"), ct);
                if (generated is not null)
                {
                    await output.WriteLineAsync($"First start: created user 'admin' with password: {generated}");
                    await output.WriteLineAsync("(shown only this once; set OCTOPUS_ADMIN_PASSWORD before the first start to choose it)");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Domain.DomainException or Drivers.DriverException)
            {
                await output.WriteLineAsync($"error: cannot prepare the data folder {data.Root}: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is System.Data.Common.DbException || e.InnerException is System.Data.Common.DbException)
            {
                // Any engine's driver error (file unreadable, server unreachable, authentication refused).
                var store = app.Services.GetRequiredService<StoreSettings>();
                await using var db = await app.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>().CreateDbContextAsync(CancellationToken.None);
                var where = db.Provider.Describe(store.ConnectionString);
                await output.WriteLineAsync($"error: the {store.Provider} store {where} cannot be opened: {(e.InnerException ?? e).Message} (check {StoreOptions.ConnectionStringKey})");
                return 2;
            }

            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                await output.WriteLineAsync($"error: cannot listen on {server.Bind}:{server.Port}: {e.Message} Use --port to choose another port.");
                return 2;
            }
            var url = ListeningUrl(app);
            var hosts = server.AgentsRunVms ? "hosts are the agents that register"
                : $"{app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterOptions>>().Value.HostSpecs().Count} simulated hosts";
            await output.WriteLineAsync($"Octopus listening on {url} (data: {data.Root}, {hosts})");
            await output.FlushAsync(ct);
            await app.WaitForShutdownAsync(ct);
            await app.Services.GetRequiredService<OperationRunner>().DrainAsync().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        }
    }

    /// <summary>Migrates the store, makes the first admin and aligns hosts and images with the configuration.</summary>
    public static async Task<string?> PrepareStoreAsync(IServiceProvider services, string? adminPassword, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        await db.Provider.PrepareAsync(db, ct);
        await db.Database.MigrateAsync(ct);
        await Application.Upgrade.LegacyDataFolder.ImportAsync(services.GetRequiredService<DataFolder>().Root, db,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Application.Upgrade.LegacyDataFolder).FullName!),
            services.GetRequiredService<TimeProvider>(), ct);
        return await scope.ServiceProvider.GetRequiredService<Bootstrap>().RunAsync(adminPassword, ct);
    }

    public static string ListeningUrl(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address?.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) ?? "http://127.0.0.1";
    }
}
