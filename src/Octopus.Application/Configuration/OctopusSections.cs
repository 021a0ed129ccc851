using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Octopus.Application.Configuration;

/// <summary>Checks one configuration section's options. Each failure names the full key and what to write instead, as
/// <c>"Octopus:Simulation:Seed: problem"</c>; <see cref="OctopusSections.ValidateAtStart"/> turns the first one into a
/// <see cref="ConfigurationException"/>.</summary>
public abstract class SectionValidator<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    /// <summary>The section's path, e.g. <c>Octopus:Simulation</c>.</summary>
    public string Section { get; } = section;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        Check(options, (key, problem) => failures.Add($"{(key.Length == 0 ? Section : $"{Section}:{key}")}: {problem}"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Reports every wrong value through <paramref name="fail"/> (key within the section, problem).</summary>
    protected abstract void Check(TOptions options, Action<string, string> fail);

    /// <summary>Runs a conversion that throws <see cref="ConfigurationException"/> naming the key, and reports what it
    /// throws through <paramref name="fail"/> with the key made relative to this section.</summary>
    protected void Converts(Action convert, Action<string, string> fail)
    {
        ArgumentNullException.ThrowIfNull(convert);
        ArgumentNullException.ThrowIfNull(fail);
        try
        {
            convert();
        }
        catch (ConfigurationException e)
        {
            fail(e.Key.StartsWith(Section + ":", StringComparison.Ordinal) ? e.Key[(Section.Length + 1)..] : "", e.Problem);
        }
    }

    /// <summary>Fails <paramref name="key"/> unless <paramref name="value"/> lies in [min, max].</summary>
    protected static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string key, Action<string, string> fail)
    {
        if (value < min || value > max) fail(key, $"{value.ToString("c", CultureInfo.InvariantCulture)} is out of range ({min.ToString("c", CultureInfo.InvariantCulture)} to {max.ToString("c", CultureInfo.InvariantCulture)}).");
    }
}

/// <summary>Registers configuration sections as validated options: each section binds to its own options class (a key the
/// class does not have is an error, not silently ignored), its validator checks ranges, and
/// <see cref="ValidateAtStart"/> checks them all once, right after the host is built, before anything touches the store.</summary>
public static class OctopusSections
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="path"/> (unknown keys are errors), checks it with
    /// <typeparamref name="TValidator"/> and validates it at start-up. Consumers take <c>IOptions&lt;TOptions&gt;</c>.</summary>
    /// <param name="services">The server's services.</param>
    /// <param name="path">The section, e.g. <c>Octopus:Scheduler</c>.</param>
    /// <param name="hasSubsections">The section also holds other classes' sections (only <c>Octopus</c> itself does): a key
    /// this class does not have is then left to them rather than refused.</param>
    public static OptionsBuilder<TOptions> AddOctopusSection<TOptions, TValidator>(this IServiceCollection services, string path, bool hasSubsections = false)
        where TOptions : class, new() where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddSingleton(new Section(path, typeof(TOptions), sp => sp.GetRequiredService<IOptions<TOptions>>().Value, !hasSubsections));
        return services.AddOptions<TOptions>()
            .BindConfiguration(path, b => b.ErrorOnUnknownConfiguration = !hasSubsections)
            .ValidateOnStart();
    }

    /// <summary>Binds and checks one section now, as the start-up validation will: for the few values the composition root
    /// needs to choose its parts (where to listen, which driver, which store). Throws <see cref="ConfigurationException"/>
    /// naming the key.</summary>
    public static TOptions Read<TOptions, TValidator>(IConfiguration configuration, string path, bool hasSubsections = false)
        where TOptions : class, new() where TValidator : IValidateOptions<TOptions>, new()
    {
        var options = Bind<TOptions>(configuration, path, hasSubsections);
        var result = new TValidator().Validate(Options.DefaultName, options);
        if (result.Failed) throw From(new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures));
        return options;
    }

    /// <summary>Runs the start-up validation now. A section that does not bind (an unknown key, a value of the wrong type)
    /// or fails its validator becomes a <see cref="ConfigurationException"/> naming the key.</summary>
    public static void ValidateAtStart(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        // Binding first, section by section, so that a binding error can name its section and key.
        foreach (var section in services.GetServices<Section>())
        {
            try
            {
                section.Resolve(services);
            }
            catch (InvalidOperationException e)
            {
                throw Explain(configuration, section, e);
            }
            catch (OptionsValidationException e)
            {
                throw From(e);
            }
        }
        if (UnknownSubsection(configuration, [.. services.GetServices<Section>()]) is { } unknown) throw unknown;
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw From(e);
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is OptionsValidationException first)
        {
            throw From(first);
        }
    }

    /// <summary>Binds one section now as the options system does (unknown keys are errors unless it
    /// <paramref name="hasSubsections"/>); a key it does not have or a value of the wrong type is a
    /// <see cref="ConfigurationException"/> naming the key.</summary>
    public static TOptions Bind<TOptions>(IConfiguration configuration, string path, bool hasSubsections = false) where TOptions : class, new()
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(path).Bind(options, b => b.ErrorOnUnknownConfiguration = !hasSubsections);
        }
        catch (InvalidOperationException e)
        {
            throw Explain(configuration, new Section(path, typeof(TOptions), _ => options, !hasSubsections), e);
        }
        return options;
    }

    /// <summary>One registered section: where it is, what it binds to, how to read it.</summary>
    internal sealed record Section(string Path, Type OptionsType, Func<IServiceProvider, object> Resolve, bool Strict);

    private static ConfigurationException From(OptionsValidationException e)
    {
        var failure = e.Failures.FirstOrDefault() ?? e.Message;
        var split = failure.IndexOf(": ", StringComparison.Ordinal);
        return split > 0 ? new ConfigurationException(failure[..split], failure[(split + 2)..]) : new ConfigurationException(e.OptionsName, failure);
    }

    private static readonly Regex FailedConversion = new("at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.CultureInvariant);

    private static ConfigurationException Explain(IConfiguration configuration, Section section, InvalidOperationException e)
    {
        if (section.Strict && Unknown(configuration.GetSection(section.Path), section.OptionsType) is var (unknown, owner, ownerPath))
        {
            var known = string.Join(", ", Settable(owner).Select(p => p.Name));
            return new ConfigurationException(unknown, $"is not a setting (check the spelling); {ownerPath} has {known}.");
        }
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (FailedConversion.Match(x.Message) is { Success: true } m)
            {
                var key = m.Groups["key"].Value;
                return new ConfigurationException(key, $"'{configuration[key]}' is not {Describe(m.Groups["type"].Value)}.");
            }
        }
        return new ConfigurationException(section.Path, e.Message);
    }

    /// <summary>A key directly under a section that also holds other sections (<c>Octopus</c> itself) that is neither one
    /// of its own settings nor a registered section, such as <c>Octopus:Schedular</c>: binding leaves such a key to the
    /// other sections, so without this check a misspelt section name would be ignored and its settings silently left at
    /// their defaults.</summary>
    private static ConfigurationException? UnknownSubsection(IConfiguration configuration, IReadOnlyList<Section> sections)
    {
        foreach (var open in sections.Where(s => !s.Strict))
        {
            var prefix = open.Path + ":";
            var subsections = sections.Where(s => s.Path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(s => s.Path[prefix.Length..].Split(':')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var own = Settable(open.OptionsType).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var child in configuration.GetSection(open.Path).GetChildren())
            {
                if (own.Contains(child.Key) || subsections.Contains(child.Key)) continue;
                var known = string.Join(", ", own.Order(StringComparer.Ordinal));
                var sectionNames = string.Join(", ", subsections.Order(StringComparer.Ordinal));
                return new ConfigurationException(child.Path,
                    $"is not a setting or a section (check the spelling); {open.Path} has the settings {known} and the sections {sectionNames}.");
            }
        }
        return null;
    }

    /// <summary>The first key under <paramref name="section"/> that <paramref name="type"/> has no property for, with the
    /// type and path that lack it.</summary>
    private static (string Key, Type Owner, string OwnerPath)? Unknown(IConfigurationSection section, Type type)
    {
        if (IsLeaf(type)) return null;
        var element = ElementType(type);
        foreach (var child in section.GetChildren())
        {
            if (element is not null)
            {
                if (Unknown(child, element) is { } inner) return inner;
                continue;
            }
            var property = Settable(type).FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null) return (child.Path, type, section.Path);
            if (Unknown(child, property.PropertyType) is { } deeper) return deeper;
        }
        return null;
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || !IsLeaf(p.PropertyType));

    private static bool IsLeaf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset)
               || t == typeof(DateTime) || t == typeof(Uri) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>));
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } e
            ? e.GetGenericArguments()[0]
            : null;

    private static string Describe(string type) => (type.StartsWith("System.Nullable`1[[", StringComparison.Ordinal) ? type[19..type.IndexOf(',', StringComparison.Ordinal)] : type) switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a time span; write e.g. 00:00:05 (hh:mm:ss) or 30.00:00:00 (days)",
        _ => $"a {type}",
    };
}
