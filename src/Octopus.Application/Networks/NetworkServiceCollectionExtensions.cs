namespace Octopus.Application.Networks;

/// <summary>Registers networking: settings, the commands and queries behind the network endpoints, and the NIC allocator
/// VM creation uses.</summary>
public static class NetworkServiceCollectionExtensions
{
    /// <summary>Throws <see cref="Configuration.ConfigurationException"/> on a bad <c>Octopus:Networks</c> section.</summary>
    public static IServiceCollection AddOctopusNetworks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(NetworkSettings.From(configuration));
        services.AddScoped<NetworkCommands>();
        services.AddScoped<NetworkQueries>();
        services.AddScoped<NicAllocator>();
        services.AddScoped<SecurityRuleCommands>();
        services.AddScoped<Provisioning.SshKeyCommands>();
        services.AddScoped<Provisioning.VmSshKeys>();
        return services;
    }
}
