using Microsoft.AspNetCore.DataProtection;

namespace Octopus.Server.Power;

/// <summary>Seals and opens BMC passwords with ASP.NET Core Data Protection (key ring in the data folder's
/// <c>keys/</c>, see <see cref="PowerServiceCollectionExtensions"/>): the store only ever holds the sealed text.</summary>
public sealed class PowerSecrets(IDataProtectionProvider provider)
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
        services.AddSingleton<PowerSecrets>();
        services.AddScoped<PowerConfigCommands>();
        return services;
    }

    /// <summary>Wraps the registered <see cref="Drivers.IPowerDriverResolver"/> so hosts with an ipmi, redfish or wol
    /// binding are switched through it. Call after every driver is registered.</summary>
    public static IServiceCollection AddBoundPowerDrivers(this IServiceCollection services, PowerSequenceOptions? options = null)
    {
        var inner = services.Last(d => d.ServiceType == typeof(Drivers.IPowerDriverResolver));
        services.Remove(inner);
        services.AddSingleton<Drivers.IPowerDriverResolver>(sp => new BindingPowerDriverResolver(
            (Drivers.IPowerDriverResolver)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)),
            sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<PowerSecrets>(),
            sp.GetService<Agents.AgentRegistry>() is { } registry ? new AgentHeartbeatWatch(registry) : null,
            sp.GetService<PowerSequenceOptions>() ?? options ?? new PowerSequenceOptions(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
