using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Octopus.Application.Configuration;

/// <summary>A section as written whose typed settings one conversion makes, throwing <see cref="ConfigurationException"/>
/// naming the key when a value is wrong (login, identity, storage: their checks compare values with each other or with
/// the machine, so they live in one place, the conversion).</summary>
/// <typeparam name="TSettings">The validated, typed settings.</typeparam>
public interface ISettingsSection<out TSettings>
{
    /// <summary>The section's path, e.g. <c>Octopus:Login</c>.</summary>
    static abstract string Path { get; }

    /// <summary>The typed settings; throws <see cref="ConfigurationException"/> naming the key.</summary>
    TSettings ToSettings();
}

/// <summary>Checks a <see cref="ISettingsSection{TSettings}"/> at start-up by converting it.</summary>
public sealed class SettingsSectionValidator<TSection, TSettings>() : SectionValidator<TSection>(TSection.Path)
    where TSection : class, ISettingsSection<TSettings>
{
    protected override void Check(TSection options, Action<string, string> fail) => Converts(() => options.ToSettings(), fail);
}

public static class SettingsSections
{
    /// <summary>Binds <typeparamref name="TSection"/> to its section (unknown keys are errors), checks it at start-up by
    /// converting it, and registers the typed <typeparamref name="TSettings"/> made from the bound section.</summary>
    public static IServiceCollection AddOctopusSettings<TSection, TSettings>(this IServiceCollection services)
        where TSection : class, ISettingsSection<TSettings>, new() where TSettings : class
    {
        services.AddOctopusSection<TSection, SettingsSectionValidator<TSection, TSettings>>(TSection.Path);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TSection>>().Value.ToSettings());
        return services;
    }

    /// <summary>Binds and converts the section now (for a choice the composition root makes, and for tests); throws
    /// <see cref="ConfigurationException"/> naming the key.</summary>
    public static TSettings Read<TSection, TSettings>(IConfiguration configuration)
        where TSection : class, ISettingsSection<TSettings>, new() =>
        OctopusSections.Read<TSection, SettingsSectionValidator<TSection, TSettings>>(configuration, TSection.Path).ToSettings();
}
