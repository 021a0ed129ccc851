namespace Octopus.Application.Networks;

/// <summary>Registers networking: settings, the commands and queries behind the network endpoints, and the NIC allocator
/// VM creation uses.</summary>
public static class NetworkServiceCollectionExtensions
{
    /// <summary>The <c>Octopus:Networks</c> section is bound and checked at start-up.</summary>
    public static IServiceCollection AddOctopusNetworks(this IServiceCollection services)
    {
        Configuration.SettingsSections.AddOctopusSettings<NetworksSection, NetworkSettings>(services);
        services.AddScoped<NetworkCommands>();
        services.AddScoped<NetworkQueries>();
        services.AddScoped<NicAllocator>();
        services.AddScoped<SecurityRuleCommands>();
        services.AddScoped<Provisioning.SshKeyCommands>();
        services.AddScoped<Provisioning.VmSshKeys>();
        return services;
    }
}
