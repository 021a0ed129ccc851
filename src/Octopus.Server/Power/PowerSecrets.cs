using Microsoft.AspNetCore.DataProtection;
using Octopus.Application.Configuration;

using Octopus.Application.Power;

namespace Octopus.Server.Power;

/// <summary>Seals and opens BMC passwords with ASP.NET Core Data Protection (key ring in the data folder's
/// <c>keys/</c>, see <see cref="PowerServiceCollectionExtensions"/>): the store only ever holds the sealed text.</summary>
public sealed class PowerSecrets(IDataProtectionProvider provider) : IPowerSecrets
{
    // A purpose of its own: text sealed here cannot be opened as a cookie or anything else, and vice versa.
    private readonly IDataProtector protector = provider.CreateProtector("Octopus.Power.BmcPassword.v1");

    public string Seal(string password) => protector.Protect(password);

    /// <summary>The password, or a <see cref="Drivers.PowerControlException"/> when the key ring that sealed it is gone.</summary>
    public string Open(string sealedPassword)
    {
        try
        {
            return protector.Unprotect(sealedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new Drivers.PowerControlException(Drivers.PowerFault.WrongCredentials,
                "the stored BMC password cannot be opened (the data folder's key ring changed); set it again with `octopus host power-config`.", e);
        }
    }
}

/// <summary>Registers the power configuration services and the data-protection key ring they seal secrets with.</summary>
public static class PowerServiceCollectionExtensions
{
    public static IServiceCollection AddOctopusPowerConfig(this IServiceCollection services, string dataDirectory)
    {
        services.AddDataProtection()
            .SetApplicationName("octopus")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        services.AddSingleton<IPowerSecrets, PowerSecrets>();
        services.AddScoped<PowerConfigCommands>();
        return services;
    }

    /// <summary>Registers <see cref="Drivers.IPowerDriverResolver"/> as the binding resolver over the node-level one
    /// registered under <see cref="BindingPowerDriverResolver.NodePowerKey"/>, with the <c>Octopus:Power</c> section's timings.</summary>
    public static IServiceCollection AddBoundPowerDrivers(this IServiceCollection services)
    {
        services.AddOctopusSection<PowerSequenceOptions, PowerSequenceOptionsValidator>(PowerSequenceOptions.Section);
        services.AddSingleton<Drivers.IPowerDriverResolver>(sp => new BindingPowerDriverResolver(
            sp.GetRequiredKeyedService<Drivers.IPowerDriverResolver>(BindingPowerDriverResolver.NodePowerKey),
            sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<IPowerSecrets>(),
            sp.GetService<Application.Agents.AgentRegistry>() is { } registry ? new AgentHeartbeatWatch(registry) : null,
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PowerSequenceOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
