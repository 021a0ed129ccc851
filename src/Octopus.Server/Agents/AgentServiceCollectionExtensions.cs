using Octopus.Drivers;

namespace Octopus.Server.Agents;

/// <summary>With <c>Octopus:Driver</c> = qemu: replaces the simulated driver by <see cref="AgentClusterDriver"/> (lifecycle,
/// host power, telemetry, and the console, live-disk and suspend capabilities) and adds the registry, the agent client
/// and the health monitor. Call after the default drivers are registered and before <c>AddOctopusDisks</c> (which wraps
/// the lifecycle driver).</summary>
public static class AgentServiceCollectionExtensions
{
    public static IServiceCollection AddOctopusAgents(this IServiceCollection services, AgentSettings settings)
    {
        services.AddSingleton(settings);
        if (!settings.Enabled) return services;
        services.AddSingleton<AgentRegistry>();
        services.AddLogging(b => b.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
        services.AddHttpClient<AgentClient>(c => c.Timeout = TimeSpan.FromMinutes(10));
        services.AddSingleton(sp => new AgentClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AgentClient)), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AgentClusterDriver>();
        foreach (var type in new[] { typeof(IVmLifecycleDriver), typeof(IHostPowerDriver), typeof(IClusterTelemetry),
                     typeof(IVmConsoleDriver), typeof(ILiveDiskDriver), typeof(IVmSuspendDriver) })
        {
            foreach (var d in services.Where(d => d.ServiceType == type).ToList()) services.Remove(d);
            services.AddSingleton(type, sp => sp.GetRequiredService<AgentClusterDriver>());
        }
        services.AddHostedService<AgentHealthMonitor>();
        return services;
    }
}
