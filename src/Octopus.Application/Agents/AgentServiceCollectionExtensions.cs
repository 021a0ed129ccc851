using Octopus.Drivers;
using Octopus.Drivers.Agent;

namespace Octopus.Application.Agents;

/// <summary>With <c>Octopus:Driver</c> = qemu the nodes are the agents: their node and power resolvers
/// (<see cref="AgentNodeResolver"/>, <see cref="AgentPowerDriver"/>, the latter under
/// <see cref="Power.BindingPowerDriverResolver.NodePowerKey"/>), running VMs' disks switched through their node, the
/// registry, the agent client and the health monitor. The composition root calls this instead of registering the
/// simulated resolvers, never on top of them.</summary>
public static class AgentServiceCollectionExtensions
{
    public static IServiceCollection AddOctopusAgents(this IServiceCollection services)
    {
        services.AddSingleton<AgentRegistry>();
        services.AddSingleton<IAgentDirectory>(sp => sp.GetRequiredService<AgentRegistry>());
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<Disks.StorageSettings>();
            return new AgentStorage(storage.Folder, storage.Backend == Disks.StorageBackendKind.QemuImg);
        });
        services.AddLogging(b => b.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
        services.AddHttpClient<AgentClient>(c => c.Timeout = TimeSpan.FromMinutes(10));
        services.AddSingleton(sp => new AgentClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AgentClient)), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAgentEventSink, AuditingAgentEventSink>();
        services.AddSingleton<INodeDriverResolver, AgentNodeResolver>();
        services.AddKeyedSingleton<IPowerDriverResolver>(Power.BindingPowerDriverResolver.NodePowerKey,
            (sp, _) => new AgentPowerDriver(sp.GetRequiredService<IAgentDirectory>()));
        services.AddSingleton(new Disks.LiveDiskSwitching(ThroughNodeDriver: true));
        services.AddHostedService<AgentHealthMonitor>();
        return services;
    }
}
