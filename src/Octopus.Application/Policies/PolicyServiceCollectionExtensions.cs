using Octopus.Policies.Evaluation;
using Octopus.Policies.Retries;
using Octopus.Application.Commands;
using Octopus.Application.Configuration;

namespace Octopus.Application.Policies;

/// <summary>Registers the policy runtime: settings, the event sink, the CPU history, the engine, the commands behind the
/// policy endpoints, suspend/resume/lease commands and the policy loop.</summary>
public static class PolicyServiceCollectionExtensions
{
    /// <summary>The <c>Octopus:Policies</c> section is bound and checked at start-up.</summary>
    public static IServiceCollection AddOctopusPolicies(this IServiceCollection services)
    {
        services.AddOctopusSettings<PoliciesSection, PolicySettings>();
        services.AddSingleton<PolicyRuntimeState>();
        services.AddSingleton<Cluster.ILeaderTermListener, PolicyRuntimeTakeover>();
        services.AddSingleton<PolicyEventQueue>();
        services.AddSingleton<IPolicyEventSink>(sp => sp.GetRequiredService<PolicyEventQueue>());
        services.AddSingleton(new PolicyEngine());
        services.AddSingleton(new RetrySchedule(RetryOptions.Default));
        services.AddScoped<VmSuspendCommands>();
        services.AddScoped<PolicyCatalog>();
        services.AddScoped<PolicySnapshotBuilder>();
        services.AddScoped<PolicyCommands>();
        services.AddScoped<PolicyActionExecutor>();
        services.AddScoped<PolicyPass>();
        services.AddHostedService<PolicyLoop>();
        return services;
    }
}
