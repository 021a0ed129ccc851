using Octopus.Domain.Users;
using Octopus.Application.Configuration;

namespace Octopus.Application.Identity;

/// <summary>The <c>Octopus:Identity</c> section as written: <c>Provider</c> (<c>local</c>, the default, or <c>ldap</c>)
/// and, for <c>ldap</c>, the <c>Ldap</c> section (<see cref="LdapSettings"/>).</summary>
public sealed class IdentitySection
{
    public const string Section = "Octopus:Identity";
    public string? Provider { get; set; }
}

/// <summary>Validated identity settings: which provider checks passwords of users that are not local, and its settings.</summary>
public sealed record IdentitySettings(string Provider, LdapSettings? Ldap = null)
{
    public static IdentitySettings From(IConfiguration configuration)
    {
        IdentitySection section;
        try { section = configuration.GetSection(IdentitySection.Section).Get<IdentitySection>() ?? new IdentitySection(); }
        catch (InvalidOperationException e) { throw new ConfigurationException(IdentitySection.Section, e.Message); }
        return (section.Provider ?? User.LocalProvider).Trim().ToLowerInvariant() switch
        {
            "" or User.LocalProvider => new IdentitySettings(User.LocalProvider),
            LdapIdentityProvider.ProviderName => new IdentitySettings(LdapIdentityProvider.ProviderName, LdapSettings.From(configuration)),
            var other => throw new ConfigurationException($"{IdentitySection.Section}:Provider", $"'{other}' is not an identity provider; use 'local' or 'ldap'."),
        };
    }
}
