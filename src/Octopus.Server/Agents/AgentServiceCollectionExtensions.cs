using Octopus.Drivers;

namespace Octopus.Server.Agents;

/// <summary>With <c>Octopus:Driver</c> = qemu: replaces the simulated node and power resolvers by the agents'
/// (<see cref="AgentNodeResolver"/>, <see cref="AgentPowerDriver"/>), switches running VMs' disks through their node, and
/// adds the registry, the agent client and the health monitor. Call after the default drivers are registered.</summary>
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
        services.AddSingleton<IAgentEventSink, AuditingAgentEventSink>();
        services.AddSingleton<INodeDriverResolver, AgentNodeResolver>();
        services.AddSingleton<IPowerDriverResolver>(sp => new AgentPowerDriver(sp.GetRequiredService<AgentRegistry>()));
        services.AddSingleton(new Disks.LiveDiskSwitching(ThroughNodeDriver: true));
        services.AddHostedService<AgentHealthMonitor>();
        return services;
    }
}
