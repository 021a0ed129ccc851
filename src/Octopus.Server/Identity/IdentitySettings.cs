using Octopus.Domain.Users;
using Octopus.Server.Configuration;

namespace Octopus.Server.Identity;

/// <summary>The <c>Octopus:Identity</c> section as written: <c>Provider</c> (<c>local</c>, the default, or <c>ldap</c>).</summary>
public sealed class IdentitySection
{
    public const string Section = "Octopus:Identity";
    public string? Provider { get; set; }
}

/// <summary>Validated identity settings: which provider checks passwords of users that are not local.</summary>
public sealed record IdentitySettings(string Provider)
{
    public static IdentitySettings From(IConfiguration configuration)
    {
        IdentitySection section;
        try { section = configuration.GetSection(IdentitySection.Section).Get<IdentitySection>() ?? new IdentitySection(); }
        catch (InvalidOperationException e) { throw new ConfigurationException(IdentitySection.Section, e.Message); }
        var provider = (section.Provider ?? User.LocalProvider).Trim().ToLowerInvariant() switch
        {
            "" or User.LocalProvider => User.LocalProvider,
            var other => throw new ConfigurationException($"{IdentitySection.Section}:Provider", $"'{other}' is not an identity provider; use 'local'."),
        };
        return new IdentitySettings(provider);
    }
}
